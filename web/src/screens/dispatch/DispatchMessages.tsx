import { useEffect, useState } from 'react';
import { api, type Conversation, type ConversationMessage } from '../../api';
import { ChatInput, ChatLog, useConversationMessages, useMarkRead, useSendToConversation } from '../../chat';
import { ErrorNote, Notice, Spinner, useAction } from '../../components/common';
import { useSession } from '../../session';
import { inWords, useDispatchConversation, type DispatchSummary } from './dispatch-data';
import { useZoneInvite } from './ZoneInvite';

/**
 * The conversation of one dispatch: its chat for someone in it; for someone outside it, a
 * Comment box that joins them by writing (the zone rule decides whether they may).
 */
export function DispatchMessages({ dispatch, compact = false }: { dispatch: DispatchSummary; compact?: boolean }) {
  const session = useSession();
  const { value, reload } = useDispatchConversation(session, dispatch.id);
  if (!session.messagesEnabled) return <Notice>The messages module is off: this dispatch has no conversation.</Notice>;
  if (value.state === 'loading') return <Spinner />;
  if (value.state === 'none') return <ErrorNote error={inWords(value.reason, session)} />;
  if (value.state === 'outside') return <CommentToJoin dispatch={dispatch} onJoined={reload} />;
  return <DispatchChat key={value.conversation.id} dispatch={dispatch} conversation={value.conversation} history={value.messages} onChanged={reload} compact={compact} />;
}

function CommentToJoin({ dispatch, onJoined }: { dispatch: DispatchSummary; onJoined: () => Promise<void> }) {
  const session = useSession();
  const closed = dispatch.status === 'closed';
  const [error, setError] = useState<string | null>(null);
  return (
    <div className="conversation">
      <p className="pad muted">You are not in this dispatch's conversation. {closed ? 'It is closed.' : 'Write a comment to join it.'}</p>
      <ErrorNote error={inWords(error, session)} />
      <ChatInput
        disabled={closed}
        label={`Comment on dispatch ${dispatch.number}`}
        placeholder="Comment to join this dispatch conversation"
        onSend={async (body) => {
          setError(null);
          try {
            await api.post(`/dispatches/${dispatch.id}/comment`, { body });
          } catch (e) {
            setError((e as Error).message);
            throw e;
          }
          await onJoined();
        }}
      />
    </div>
  );
}

function DispatchChat({
  dispatch,
  conversation,
  history,
  onChanged,
  compact,
}: {
  dispatch: DispatchSummary;
  conversation: Conversation;
  history: ConversationMessage[];
  onChanged: () => Promise<void>;
  compact: boolean;
}) {
  const session = useSession();
  const { messages, add, addAll } = useConversationMessages(conversation.id, { initial: history, skipHistory: true });
  useEffect(() => addAll(history), [history, addAll]);
  const archived = !!conversation.archivedAt || dispatch.status === 'closed';
  const member = conversation.isMember;
  useMarkRead(conversation.id, messages, member && !archived);
  const send = useSendToConversation(conversation.id);
  const [showMembers, setShowMembers] = useState(false);
  const invite = useZoneInvite(conversation, () => void onChanged());
  const leaving = useAction();
  const title = `Dispatch ${dispatch.number}`;
  return (
    <div className={`conversation${compact ? ' compact' : ''}`}>
      <header className="conversation-head">
        <h3 className="grow">{title}</h3>
        <button type="button" aria-expanded={showMembers} onClick={() => setShowMembers(!showMembers)}>
          Details
        </button>
        {member && !archived && (
          <button
            type="button"
            disabled={leaving.busy}
            onClick={async () => {
              if (!confirm(`Leave the conversation of dispatch ${dispatch.number}?`)) return;
              // A left dispatch conversation stays readable (until the task is cleared): read it again rather than drop it.
              if ((await leaving.run(() => api.post(`/conversations/${conversation.id}/leave`))) !== undefined) await onChanged();
            }}
          >
            Leave
          </button>
        )}
      </header>
      {archived && <Notice>This dispatch is closed; its conversation is kept read only.</Notice>}
      {!archived && !member && <Notice>You left this conversation; writing in it brings you back.</Notice>}
      <ErrorNote error={leaving.error} />
      {showMembers && (
        <section className="pad members" aria-label={`Who is in ${title}`}>
          <h4>In this conversation ({conversation.members.length})</h4>
          <ul className="plain-list">
            {conversation.members.map((m) => (
              <li key={m.userId}>
                {m.name}
                {m.userId === session.me.id && ' (you)'}
              </li>
            ))}
          </ul>
          {member && !archived && invite.button}
          {invite.panel}
        </section>
      )}
      <ChatLog messages={messages} label={`Messages in ${title}`} />
      <ChatInput
        disabled={archived}
        onSend={async (body, extras) => {
          add(await send(body, extras));
          if (!member) await onChanged();
        }}
        label={`Message to ${title}`}
        tools={{ members: conversation.members.filter((m) => m.userId !== session.me.id).map((m) => ({ id: m.userId, name: m.name })) }}
      />
    </div>
  );
}
