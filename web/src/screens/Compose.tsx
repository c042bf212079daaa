import { useMemo, useState, type FormEvent } from 'react';
import { api, newClientId, type MessageType } from '../api';
import { ErrorNote, MultiPicker, Notice, TYPE_LABELS, useAction } from '../components/common';
import { audienceProblem, resolveAudience, type SendMode } from '../recipients';
import { navigate } from '../router';
import { useSession } from '../session';
import { useDraft } from '../drafts';
import { MessagesPermission } from '../../../src/messages/messages.permissions';

const MODES: { value: SendMode; label: string; hint: string }[] = [
  { value: 'all', label: 'Everyone', hint: 'Every member of the department.' },
  { value: 'match', label: 'Role at group', hint: 'People who hold one of the roles AND belong to one of the groups, e.g. EMTs at Station 1.' },
  { value: 'specific', label: 'Choose', hint: 'Any mix of people, groups and roles.' },
];

/** Plain text to HTML paragraphs; the server sanitizes whatever arrives anyway. */
export function textToHtml(text: string): string {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return text
    .trim()
    .split(/\n{2,}/)
    .map((p) => `<p>${esc(p).replace(/\n/g, '<br>')}</p>`)
    .join('');
}

export function ComposeScreen() {
  const session = useSession();
  const { directory, me } = session;
  const [subject, setSubject, clearSubject] = useDraft<string>('compose.subject', '');
  const [body, setBody, clearBody] = useDraft<string>('compose.body', '');
  const [type, setType, clearType] = useDraft<MessageType>('compose.type', 'normal');
  const [expiresAt, setExpiresAt] = useState('');
  const [urgent, setUrgent] = useState(false);
  const [remindEveryMinutes, setRemindEveryMinutes] = useState(0);
  const [reminders, setReminders] = useState(3);
  const [escalateToIds, setEscalateToIds] = useState<number[]>([]);
  const [sendMode, setSendMode, clearSendMode] = useDraft<SendMode>('compose.sendMode', 'specific');
  const [userIds, setUserIds, clearUserIds] = useDraft<number[]>('compose.userIds', []);
  const [groupIds, setGroupIds, clearGroupIds] = useDraft<number[]>('compose.groupIds', []);
  const [roleIds, setRoleIds, clearRoleIds] = useDraft<number[]>('compose.roleIds', []);
  const [excludeShiftIds, setExcludeShiftIds] = useState<number[]>([]);
  const [idempotencyKey, setIdempotencyKey] = useState(() => newClientId());
  const [sent, setSent] = useState<{ id: number; recipientCount: number } | null>(null);
  const { busy, error, setError, run } = useAction();

  const audience = { sendMode, userIds: sendMode === 'specific' ? userIds : [], groupIds: sendMode === 'all' ? [] : groupIds, roleIds: sendMode === 'all' ? [] : roleIds, excludeShiftIds };
  const problem = audienceProblem(audience);
  // Keyed by the audience's value: the object itself is new on every render.
  const reach = useMemo(() => resolveAudience(audience, directory, me.id), [JSON.stringify(audience), directory, me.id]);

  const people = directory.members.filter((m) => m.active && m.id !== me.id).map((m) => ({ id: m.id, name: m.name, hint: m.email }));
  const sets = (list: typeof directory.groups) => list.map((s) => ({ id: s.id, name: s.name, hint: `${s.memberIds.length}` }));

  if (!session.messagesEnabled) return <Notice>The messages module is disabled for this department.</Notice>;
  if (!session.can(MessagesPermission.Create)) return <Notice>You may read messages but not send them.</Notice>;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (problem) return setError(problem);
    if (expiresAt && new Date(expiresAt) <= new Date()) return setError('The expiry must be in the future.');
    const res = await run(() =>
      api.post<{ id: number; recipientCount: number }>('/messages', {
        subject: subject.trim(),
        body: textToHtml(body),
        type,
        sendMode,
        userIds: audience.userIds,
        groupIds: audience.groupIds,
        roleIds: audience.roleIds,
        excludeShiftIds,
        ...(expiresAt && { expiresAt: new Date(expiresAt).toISOString() }),
        ...(urgent && { priority: 'urgent' }),
        ...(urgent &&
          remindEveryMinutes > 0 && {
            escalation: { repeatEverySeconds: Math.round(remindEveryMinutes * 60), repeats: reminders, thenNotifyUserIds: escalateToIds },
          }),
        idempotencyKey,
      }),
    );
    if (res) {
      setSent(res);
      [clearSubject, clearBody, clearType, clearSendMode, clearUserIds, clearGroupIds, clearRoleIds].forEach((clear) => clear());
    }
  };

  if (sent) {
    return (
      <section className="card narrow" aria-labelledby="sent-title">
        <h1 id="sent-title">Sent</h1>
        <p role="status">
          “{subject}” went to {sent.recipientCount} {sent.recipientCount === 1 ? 'person' : 'people'}.
        </p>
        <div className="actions">
          <button type="button" className="primary" onClick={() => navigate(`/messages/${sent.id}`)}>
            Open it
          </button>
          <button
            type="button"
            onClick={() => {
              // A new message starts from nothing: no recipients, type or urgency carried over.
              setSent(null);
              setSubject('');
              setBody('');
              setType('normal');
              setExpiresAt('');
              setUrgent(false);
              setEscalateToIds([]);
              setSendMode('specific');
              setUserIds([]);
              setGroupIds([]);
              setRoleIds([]);
              setExcludeShiftIds([]);
              setIdempotencyKey(newClientId());
            }}
          >
            Write another
          </button>
        </div>
      </section>
    );
  }

  return (
    <form className="compose" onSubmit={submit} aria-labelledby="compose-title">
      <h1 id="compose-title">New message</h1>
      <div className="grid-2">
        <div className="field">
          <label htmlFor="compose-subject">Subject</label>
          <input id="compose-subject" required maxLength={200} value={subject} onChange={(e) => setSubject(e.target.value)} />
        </div>
        <div className="field-row">
          <div className="field">
            <label htmlFor="compose-type">Type</label>
            <select id="compose-type" value={type} onChange={(e) => setType(e.target.value as MessageType)}>
              {Object.entries(TYPE_LABELS).map(([v, l]) => (
                <option key={v} value={v}>
                  {v === 'callback' ? 'Callback (asks for yes/no/maybe)' : v === 'poll' ? 'Poll (asks for yes/no/maybe)' : l}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="compose-expiry">Expires (optional)</label>
            <input id="compose-expiry" type="datetime-local" value={expiresAt} onChange={(e) => setExpiresAt(e.target.value)} />
          </div>
        </div>
      </div>
      <div className="field">
        <label htmlFor="compose-body">Message</label>
        <textarea id="compose-body" required rows={6} maxLength={20000} value={body} onChange={(e) => setBody(e.target.value)} aria-describedby="compose-body-hint" />
        <span id="compose-body-hint" className="muted small">
          Blank lines start new paragraphs.
        </span>
      </div>

      <fieldset className="urgent-fields">
        <legend>Priority</legend>
        <label>
          <input type="checkbox" checked={urgent} onChange={(e) => setUrgent(e.target.checked)} /> Urgent: every recipient must acknowledge it
        </label>
        {urgent && (
          <div className="field-row">
            <div className="field">
              <label htmlFor="compose-remind">Remind every (minutes, 0 for no reminders)</label>
              <input id="compose-remind" type="number" min={0} max={1440} step={1} value={remindEveryMinutes} onChange={(e) => setRemindEveryMinutes(Number(e.target.value))} />
            </div>
            {remindEveryMinutes > 0 && (
              <div className="field">
                <label htmlFor="compose-reminders">Reminders, then escalate</label>
                <input id="compose-reminders" type="number" min={0} max={20} value={reminders} onChange={(e) => setReminders(Number(e.target.value))} />
              </div>
            )}
          </div>
        )}
        {urgent && remindEveryMinutes > 0 && (
          <MultiPicker label="Then tell (besides you)" choices={people} selected={escalateToIds} onChange={setEscalateToIds} />
        )}
      </fieldset>

      <fieldset className="modes">
        <legend>Send to</legend>
        {MODES.map((m) => (
          <label key={m.value} className={`mode${sendMode === m.value ? ' on' : ''}`}>
            <input
              type="radio"
              name="sendMode"
              value={m.value}
              aria-label={m.label}
              aria-describedby={`mode-${m.value}-hint`}
              checked={sendMode === m.value}
              onChange={() => setSendMode(m.value)}
            />
            <span>
              <strong>{m.label}</strong>
              <span className="muted small" id={`mode-${m.value}-hint`}>
                {' '}
                {m.hint}
              </span>
            </span>
          </label>
        ))}
      </fieldset>

      <div className="pickers">
        {sendMode === 'specific' && <MultiPicker label="People" choices={people} selected={userIds} onChange={setUserIds} />}
        {sendMode !== 'all' && <MultiPicker label="Groups" choices={sets(directory.groups)} selected={groupIds} onChange={setGroupIds} emptyText="No groups yet." />}
        {sendMode !== 'all' && <MultiPicker label="Roles" choices={sets(directory.roles)} selected={roleIds} onChange={setRoleIds} emptyText="No roles yet." />}
        <MultiPicker label="Leave out shifts" choices={sets(directory.shifts)} selected={excludeShiftIds} onChange={setExcludeShiftIds} emptyText="No shifts yet." />
      </div>

      <div className="send-bar">
        <p className="reach" aria-live="polite" data-testid="reach">
          {problem ? (
            <span className="muted">{problem}</span>
          ) : (
            <>
              Reaches <strong>{reach.size}</strong> {reach.size === 1 ? 'person' : 'people'}
            </>
          )}
        </p>
        <ErrorNote error={error} />
        <button type="submit" className="primary" disabled={busy || !!problem || reach.size === 0}>
          {busy ? 'Sending…' : 'Send'}
        </button>
      </div>
    </form>
  );
}
