import { useId } from 'react';
import { PERMISSION_CATALOG } from './catalog';

/** The catalog's permissions as labelled checkboxes, each with what it allows. */
export function PermissionPicker({ selected, onChange, disabled }: { selected: string[]; onChange: (names: string[]) => void; disabled?: boolean }) {
  const id = useId();
  const chosen = new Set(selected);
  return (
    <fieldset className="picker" disabled={disabled}>
      <legend>Permissions</legend>
      {disabled && <p className="muted small">Administrators hold every permission.</p>}
      {PERMISSION_CATALOG.map((p) => (
        <label key={p.name} className="check">
          <input
            type="checkbox"
            checked={disabled || chosen.has(p.name)}
            aria-labelledby={`${id}-${p.name}-name`}
            aria-describedby={`${id}-${p.name}`}
            onChange={() => onChange(chosen.has(p.name) ? selected.filter((s) => s !== p.name) : [...selected, p.name])}
          />
          <span id={`${id}-${p.name}-name`}>{p.name}</span>
          <span className="muted small" id={`${id}-${p.name}`}>
            {p.hint}
          </span>
        </label>
      ))}
    </fieldset>
  );
}
