import { ConfigError } from '@campaign-ml/core';
import { resolveLocation } from './database-location';
import { qualifiedName, quoteIdentifier } from './quote-identifier';

describe('database locations and identifiers', () => {
  it('resolves SQLite paths and URLs and PostgreSQL URLs', () => {
    expect(resolveLocation({ path: 'a.db' })).toEqual({ dialect: 'sqlite', path: 'a.db' });
    expect(resolveLocation({ url: 'sqlite:data/a.db' })).toEqual({ dialect: 'sqlite', path: 'data/a.db' });
    expect(resolveLocation({ url: 'sqlite:///tmp/a.db' })).toEqual({ dialect: 'sqlite', path: '/tmp/a.db' });
    expect(resolveLocation({ url: 'file.sqlite' })).toEqual({ dialect: 'sqlite', path: 'file.sqlite' });
    expect(resolveLocation({ url: 'postgres://u@h:5432/db' })).toEqual({
      dialect: 'postgres',
      url: 'postgres://u@h:5432/db',
    });
    expect(resolveLocation({ url: 'postgresql://h/db' }).dialect).toBe('postgres');
  });

  it('rejects missing, double and unsupported locations without leaking passwords', () => {
    expect(() => resolveLocation({})).toThrow(ConfigError);
    expect(() => resolveLocation({ url: 'a', path: 'b' })).toThrow(/either url or path/);
    expect(() => resolveLocation({ url: 'mysql://me:secret@h/db' })).toThrow(
      /unsupported database URL "mysql:\/\/\*\*\*@h\/db"/,
    );
  });

  it('quotes identifiers so any name is safe', () => {
    expect(quoteIdentifier('plain')).toBe('"plain"');
    expect(quoteIdentifier('x"; DROP TABLE t; --')).toBe('"x""; DROP TABLE t; --"');
    expect(qualifiedName('t', 's"x')).toBe('"s""x"."t"');
    expect(() => quoteIdentifier('')).toThrow(ConfigError);
    expect(() => quoteIdentifier('a\u0000b')).toThrow(/NUL/);
  });
});
