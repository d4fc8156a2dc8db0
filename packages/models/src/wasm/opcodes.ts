/**
 * The WebAssembly encodings the package's kernels are written in (linear/simd-kernels,
 * trees/packed-walk-wasm, neural/mlp-kernels, and the assembler itself), in one table named after
 * the instructions of the WebAssembly 2.0 specification (its binary format chapter). A kernel
 * spells `Op.I32Add`, never 0x6a: a byte written twice can be written wrong once, and a wrong
 * opcode need not fail validation (0x6a and 0x6b are both `i32 i32 -> i32`).
 */

/** Value types. */
export const I32 = 0x7f;
export const F64 = 0x7c;
export const V128 = 0x7b;

/** The block type of a block, loop or if that leaves no value on the stack. */
export const VOID = 0x40;

/** Single-byte instructions (the two prefixes lead the instructions of `MiscOp` and `SimdOp`). */
export const Op = {
  Block: 0x02,
  Loop: 0x03,
  If: 0x04,
  Else: 0x05,
  End: 0x0b,
  Br: 0x0c,
  BrIf: 0x0d,
  Return: 0x0f,
  Call: 0x10,
  Select: 0x1b,
  LocalGet: 0x20,
  LocalSet: 0x21,
  LocalTee: 0x22,
  GlobalGet: 0x23,
  GlobalSet: 0x24,
  I32Load: 0x28,
  I64Load: 0x29,
  F64Load: 0x2b,
  I32Load8U: 0x2d,
  I32Load16U: 0x2f,
  I32Store: 0x36,
  I64Store: 0x37,
  F64Store: 0x39,
  I32Store8: 0x3a,
  I32Const: 0x41,
  F64Const: 0x44,
  I32Eqz: 0x45,
  I32Eq: 0x46,
  I32Ne: 0x47,
  I32LtS: 0x48,
  I32LtU: 0x49,
  I32GtS: 0x4a,
  I32LeS: 0x4c,
  I32GeS: 0x4e,
  I32GeU: 0x4f,
  F64Eq: 0x61,
  F64Ne: 0x62,
  F64Lt: 0x63,
  F64Gt: 0x64,
  F64Le: 0x65,
  F64Ge: 0x66,
  I32Clz: 0x67,
  I32Ctz: 0x68,
  I32Popcnt: 0x69,
  I32Add: 0x6a,
  I32Sub: 0x6b,
  I32Mul: 0x6c,
  I32And: 0x71,
  I32Or: 0x72,
  I32Xor: 0x73,
  I32Shl: 0x74,
  I32ShrS: 0x75,
  I32ShrU: 0x76,
  F64Sqrt: 0x9f,
  F64Add: 0xa0,
  F64Sub: 0xa1,
  F64Mul: 0xa2,
  F64Div: 0xa3,
  I32TruncF64S: 0xaa,
  F64ConvertI32S: 0xb7,
  /** Prefix of the `MiscOp` instructions. */
  Misc: 0xfc,
  /** Prefix of the `SimdOp` instructions. */
  Simd: 0xfd,
} as const;

/** Instructions after the 0xfc prefix (a LEB128 number; all of these fit one byte). */
export const MiscOp = {
  I32TruncSatF64S: 0x02,
  /** memory.copy (then two zero bytes: the destination and source memories). */
  MemoryCopy: 0x0a,
} as const;

/**
 * Instructions after the 0xfd prefix. The number is a LEB128 u32, so those from 0x80 up take two
 * bytes (f64x2.add, 0xf0, is 0xf0 0x01): write them through `uleb` or `Fn.simd`, never as a byte.
 */
export const SimdOp = {
  V128Load: 0x00,
  V128Load64Splat: 0x0a,
  V128Store: 0x0b,
  V128Const: 0x0c,
  /** i8x16.shuffle, then 16 lane bytes (0-15 the first operand's, 16-31 the second's). */
  I8x16Shuffle: 0x0d,
  I8x16Swizzle: 0x0e,
  I32x4Splat: 0x11,
  F64x2Splat: 0x14,
  I32x4ExtractLane: 0x1b,
  I32x4ReplaceLane: 0x1c,
  F64x2ExtractLane: 0x21,
  F64x2ReplaceLane: 0x22,
  I32x4Eq: 0x37,
  I32x4LeS: 0x3d,
  F64x2Eq: 0x47,
  F64x2Ne: 0x48,
  F64x2Lt: 0x49,
  F64x2Gt: 0x4a,
  F64x2Le: 0x4b,
  F64x2Ge: 0x4c,
  V128Not: 0x4d,
  V128And: 0x4e,
  V128AndNot: 0x4f,
  V128Or: 0x50,
  V128Bitselect: 0x52,
  V128AnyTrue: 0x53,
  V128Load8Lane: 0x54,
  /** v128.load64_lane: memory argument, then the lane (0 or 1). */
  V128Load64Lane: 0x57,
  V128Load64Zero: 0x5d,
  I32x4Bitmask: 0xa4,
  I32x4Add: 0xae,
  I32x4Mul: 0xb5,
  I64x2AllTrue: 0xc3,
  F64x2Neg: 0xed,
  F64x2Sqrt: 0xef,
  F64x2Add: 0xf0,
  F64x2Sub: 0xf1,
  F64x2Mul: 0xf2,
  F64x2Div: 0xf3,
  F64x2Pmax: 0xf7,
} as const;
