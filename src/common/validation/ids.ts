import { applyDecorators, BadRequestException, Injectable, PipeTransform } from '@nestjs/common';
import { ArrayMaxSize, IsArray, IsInt, Max, Min } from 'class-validator';

export const MAX_BATCH_IDS = 500;
const POSITIVE_INT = /^[1-9]\d{0,9}$/;
export const MAX_ID = 2_147_483_647;

/** A positive 32-bit integer written plainly in decimal. */
export const isId = (text: string) => POSITIVE_INT.test(text) && Number(text) <= MAX_ID;

/** A path id: a positive 32-bit integer, else 400 naming the parameter. */
@Injectable()
export class ParseIdPipe implements PipeTransform<unknown, number> {
  transform(value: unknown, metadata: { data?: string }): number {
    // The global ValidationPipe may already have turned the string into a number.
    if ((typeof value !== 'string' && typeof value !== 'number') || !isId(String(value))) {
      throw new BadRequestException(`${metadata.data ?? 'id'} must be a positive integer`);
    }
    return Number(value);
  }
}

/** `ids=1,2,3`: 1 to 500 distinct positive integers, else 400. */
@Injectable()
export class ParseIdListPipe implements PipeTransform<unknown, number[]> {
  transform(value: unknown, metadata: { data?: string }): number[] {
    const name = metadata.data ?? 'ids';
    if (typeof value !== 'string' || value.length === 0) {
      throw new BadRequestException(`${name} is required: a comma-separated list of 1 to ${MAX_BATCH_IDS} positive integers`);
    }
    const parts = value.split(',');
    if (parts.length > MAX_BATCH_IDS) throw new BadRequestException(`${name} may list at most ${MAX_BATCH_IDS} ids`);
    const bad = parts.find((p) => !isId(p.trim()));
    if (bad !== undefined) throw new BadRequestException(`${name} must be a comma-separated list of positive integers; "${bad.slice(0, 20)}" is not one`);
    return [...new Set(parts.map((p) => Number(p.trim())))];
  }
}

/** A body field that lists ids: an array of at most `maxItems` positive 32-bit integers. */
export const IsIdList = (field: string, maxItems: number) =>
  applyDecorators(
    IsArray({ message: `${field} must be an array of ids` }),
    ArrayMaxSize(maxItems, { message: `${field} may list at most ${maxItems} ids` }),
    IsInt({ each: true, message: `each of ${field} must be a positive integer` }),
    Min(1, { each: true, message: `each of ${field} must be a positive integer` }),
    Max(MAX_ID, { each: true, message: `each of ${field} must be a positive integer` }),
  );
