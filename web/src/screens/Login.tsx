import { useState, type FormEvent } from 'react';
import { api } from '../api';
import { ErrorNote, useAction } from '../components/common';

export function LoginScreen({ onLoggedIn, notice }: { onLoggedIn: (token: string) => void; notice?: string | null }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const { busy, error, run } = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const res = await run(() => api.post<{ accessToken: string }>('/auth/login', { email: email.trim(), password }));
    if (res) onLoggedIn(res.accessToken);
  };
  return (
    <main className="login">
      <form className="card login-card" onSubmit={submit} aria-labelledby="login-title">
        <div className="brand-mark" aria-hidden>
          ✉
        </div>
        <h1 id="login-title">Department messages</h1>
        {notice && (
          <p className="session-ended" role="alert">
            {notice}
          </p>
        )}
        <p className="muted">Sign in with your department account.</p>
        <label htmlFor="login-email">Email</label>
        <input id="login-email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} autoFocus />
        <label htmlFor="login-password">Password</label>
        <input id="login-password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        <ErrorNote error={error} />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
