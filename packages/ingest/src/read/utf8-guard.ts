import { isUtf8 } from 'node:buffer';
import { ParseError } from '@campaign-ml/core';

/**
 * Checks a byte stream chunk by chunk: valid UTF-8 and no NUL bytes (a sign of binary data).
 * Keeps a running line count so a problem is reported on its 1-based line.
 */
export class Utf8Guard {
  private line = 1;
  private carry: Uint8Array = new Uint8Array(0);

  /**
   * With `badLines`, invalid UTF-8 does not throw: each line holding some is recorded there
   * (line -> what is wrong) and checking goes on. NUL bytes (binary data) always throw.
   */
  constructor(private readonly badLines?: Map<number, string>) {}

  /** Count `n` more lines than the bytes have (the next bytes come from further on in the file). */
  skipLines(n: number): void {
    this.line += n;
  }

  /** Check the next chunk; throws ParseError naming the line of the first bad byte. */
  check(chunk: Uint8Array): void {
    let bytes = chunk;
    if (this.carry.length > 0) {
      const joined = new Uint8Array(this.carry.length + chunk.length);
      joined.set(this.carry);
      joined.set(chunk, this.carry.length);
      bytes = joined;
    }
    const cut = incompleteTail(bytes);
    const body = cut === bytes.length ? bytes : bytes.subarray(0, cut);
    const nul = body.indexOf(0);
    if (nul >= 0) {
      throw new ParseError(
        'BINARY_INPUT',
        `line ${this.line + countNewlines(body, nul)} holds a NUL byte: this looks like binary data, not text`,
        {
          row: this.line + countNewlines(body, nul),
          expected: 'UTF-8 text',
        },
      );
    }
    if (this.badLines && !isUtf8(body)) this.recordBadLines(body);
    else if (!isUtf8(body)) {
      const at = firstInvalid(body);
      const row = this.line + countNewlines(body, at);
      throw new ParseError(
        'INVALID_UTF8',
        `line ${row} is not valid UTF-8 (byte 0x${body[at].toString(16).padStart(2, '0')}); re-save the file as UTF-8`,
        { row, value: body[at], expected: 'UTF-8 text' },
      );
    }
    this.line += countNewlines(body, body.length);
    this.carry = cut === bytes.length ? new Uint8Array(0) : bytes.slice(cut);
  }

  /** Every line of `body` with invalid UTF-8, into `badLines`. */
  private recordBadLines(body: Uint8Array): void {
    let start = 0;
    let line = this.line;
    while (start < body.length) {
      const rest = body.subarray(start);
      if (isUtf8(rest)) return;
      const at = firstInvalid(rest);
      const row = line + countNewlines(rest, at);
      this.badLines!.set(
        row,
        `is not valid UTF-8 (byte 0x${rest[at].toString(16).padStart(2, '0')}); re-save the file as UTF-8`,
      );
      const nl = rest.indexOf(10, at);
      if (nl < 0) return;
      line = row + 1;
      start += nl + 1;
    }
  }

  /** End of input: a multi-byte character cut short is an error too. */
  end(): void {
    if (this.carry.length > 0 && this.badLines) {
      this.badLines.set(this.line, 'ends in the middle of a UTF-8 character; re-save the file as UTF-8');
      return;
    }
    if (this.carry.length > 0) {
      throw new ParseError(
        'INVALID_UTF8',
        `line ${this.line} ends in the middle of a UTF-8 character; re-save the file as UTF-8`,
        {
          row: this.line,
          expected: 'UTF-8 text',
        },
      );
    }
  }
}

/** Index where a trailing, possibly incomplete multi-byte sequence starts (bytes.length if none). */
function incompleteTail(bytes: Uint8Array): number {
  const n = bytes.length;
  for (let back = 1; back <= 3 && back <= n; back++) {
    const b = bytes[n - back];
    if ((b & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead
    if (b >= 0xc0) {
      const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
      return need > back ? n - back : n;
    }
    return n;
  }
  return n;
}

function countNewlines(bytes: Uint8Array, end: number): number {
  let count = 0;
  let i = bytes.indexOf(10);
  while (i >= 0 && i < end) {
    count++;
    i = bytes.indexOf(10, i + 1);
  }
  return count;
}

/** Offset of the first byte that breaks UTF-8 (called only after isUtf8 said there is one). */
function firstInvalid(bytes: Uint8Array): number {
  let i = 0;
  const n = bytes.length;
  while (i < n) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    const need = b >= 0xf0 && b <= 0xf4 ? 3 : b >= 0xe0 ? 2 : b >= 0xc2 && b < 0xe0 ? 1 : -1;
    if (need < 0 || b > 0xf4) return i;
    for (let k = 1; k <= need; k++) if (i + k >= n || (bytes[i + k] & 0xc0) !== 0x80) return i;
    // Overlongs and surrogates: let the decoder judge this one sequence.
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(i, i + need + 1));
    } catch {
      return i;
    }
    i += need + 1;
  }
  return 0;
}
