export * from './trees';
export * from './linear';
export * from './neural';
export * from './baseline';
export * from './adapters';
export * from './metrics';
export * from './cv';
export * from './ensemble';
