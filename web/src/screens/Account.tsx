import { useState, type FormEvent } from 'react';
import { api } from '../api';
import { ErrorNote, useAction } from '../components/common';
import { useSession } from '../session';

/** The signed-in member's own account: a new password ends every other session. */
export function AccountScreen() {
  const session = useSession();
  const [currentPassword, setCurrentPassword] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const { busy, error, run } = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const res = await run(() => api.post<{ accessToken: string }>('/auth/password', { currentPassword, newPassword }));
    if (res) session.replaceToken(res.accessToken);
  };
  return (
    <section aria-labelledby="account-title">
      <h1 id="account-title">Your account</h1>
      <p className="muted">
        {session.me.name} · {session.me.email}
      </p>
      <form className="card" onSubmit={submit} aria-labelledby="password-title">
        <h2 id="password-title">Change password</h2>
        <p className="muted small">Every other device you are signed in on is signed out.</p>
        <label htmlFor="current-password">Current password</label>
        <input id="current-password" type="password" autoComplete="current-password" required value={currentPassword} onChange={(e) => setCurrentPassword(e.target.value)} />
        <label htmlFor="new-password">New password (at least 8 characters)</label>
        <input id="new-password" type="password" autoComplete="new-password" required minLength={8} value={newPassword} onChange={(e) => setNewPassword(e.target.value)} />
        <ErrorNote error={error} />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Changing…' : 'Change password'}
        </button>
      </form>
    </section>
  );
}
