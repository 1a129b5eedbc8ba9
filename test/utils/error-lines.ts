// A Nest LoggerService that keeps the lines logged at level error (the others are dropped): tests read
// what a user's logger would have shown for a failure.
import type { LoggerService } from '@nestjs/common';

export class ErrorLines implements LoggerService {
  readonly errors: string[] = [];
  log(): void {}
  warn(): void {}
  error(message: unknown): void {
    this.errors.push(String(message));
  }
}
