// The dots codec: one "." per event, no newline (a progress indicator).
import type { Codec } from '../../types.ts';

export class DotsCodec implements Codec {
  decode(): void {
    throw new Error('The dots codec only encodes (it is an output codec)');
  }
  encode(): string {
    return '.';
  }
}

export function create(): Codec {
  return new DotsCodec();
}
