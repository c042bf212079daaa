import { useCallback, useEffect, useState } from 'react';
import { userIdOf } from './session';
import { tokenStore } from './api';

/**
 * Unsent text kept for the tab's life (sessionStorage), per user: a session that ends and is
 * signed into again finds it where it was; another user signing in on the device does not.
 */
const PREFIX = 'messages.draft.';

function storageKey(key: string): string | null {
  const token = tokenStore.get();
  const user = token ? userIdOf(token) : null;
  return user === null ? null : `${PREFIX}${user}.${key}`;
}

function read<T>(key: string, initial: T): T {
  const k = storageKey(key);
  try {
    const raw = k ? sessionStorage.getItem(k) : null;
    return raw === null ? initial : (JSON.parse(raw) as T);
  } catch {
    return initial;
  }
}

/** State that is also a draft under `key`; `clear` forgets it (after a send). */
export function useDraft<T>(key: string, initial: T): [T, (value: T | ((prev: T) => T)) => void, () => void] {
  const [value, setValue] = useState<T>(() => read(key, initial));
  const [shownKey, setShownKey] = useState(key);
  // Another draft (another conversation) shows its own text.
  if (shownKey !== key) {
    setShownKey(key);
    setValue(read(key, initial));
  }
  useEffect(() => {
    const k = storageKey(key);
    if (!k) return;
    try {
      if (JSON.stringify(value) === JSON.stringify(initial)) sessionStorage.removeItem(k);
      else sessionStorage.setItem(k, JSON.stringify(value));
    } catch {
      /* storage full or refused: the draft lives in memory only */
    }
    // `initial` is a fresh literal each render; compared by value above.
  }, [key, value]);
  const clear = useCallback(() => setValue(initial), [key]);
  return [value, setValue, clear];
}

/** A user who signs out on purpose leaves no drafts behind on the device. */
export function forgetDrafts(userId: number) {
  for (const k of Object.keys(sessionStorage)) if (k.startsWith(`${PREFIX}${userId}.`)) sessionStorage.removeItem(k);
}
