import type { ValidationError } from 'class-validator';

/** One message per failed rule, each naming its field by its whole path (`escalation.repeats must be ...`). */
export const describeValidationErrors = (errors: ValidationError[], prefix = ''): string[] =>
  errors.flatMap((e) => {
    const path = prefix ? `${prefix}.${e.property}` : e.property;
    if (e.children?.length) return describeValidationErrors(e.children, path);
    return Object.values(e.constraints ?? {}).map((m) => (m.startsWith(e.property) ? `${path}${m.slice(e.property.length)}` : `${path}: ${m}`));
  });
