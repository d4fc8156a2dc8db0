/**
 * The assembler and opcode table, for packages that write WebAssembly kernels of their own
 * (explain's TreeSHAP walk). Published as the `wasm` namespace of @campaign-ml/models.
 */
export {
  assembleModule,
  compileModule,
  instantiate,
  Fn,
  PAGE,
  type CompiledModule,
  type WasmApi,
  type WasmMemory,
} from './assembler';
export { F64, I32, V128, VOID, Op, MiscOp, SimdOp } from './opcodes';
