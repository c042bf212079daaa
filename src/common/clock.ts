import { Injectable } from '@nestjs/common';

/** What time it is. A provider of its own, so a test can set the time instead of waiting for it. */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}
