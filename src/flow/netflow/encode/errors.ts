// What went wrong while encoding, and where (template, field, record).

export class EncodeError extends Error {
  constructor(
    message: string,
    readonly where: string,
  ) {
    super(`${where}: ${message}`);
    this.name = 'EncodeError';
  }
}
