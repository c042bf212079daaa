import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api';
import { ErrorNote, Spinner, useAction } from '../../components/common';
import { Link } from '../../router';
import { useSession } from '../../session';
import { DISPATCH_KEY, dispatchPath, useDispatchEvents, zoneNameOf, type DispatchDetail, type DispatchSummary, type DispatchTask } from '../dispatch/dispatch-data';
import { DispatchMessages } from '../dispatch/DispatchMessages';
import '../dispatch/dispatch.css';

interface MyTask {
  dispatch: DispatchDetail;
  task: DispatchTask;
}

/**
 * What an officer in the field needs on a phone: their open tasks, live, each with its
 * dispatch's conversation one tap away and a Clear button. Urgent lines are acknowledged from
 * the banner every screen shows.
 */
export function OfficerTasksScreen() {
  const session = useSession();
  useDispatchEvents(session);
  const query = useQuery({
    queryKey: [...DISPATCH_KEY, 'mine', session.me.id],
    queryFn: async (): Promise<MyTask[]> => {
      const open = await api.get<{ items: DispatchSummary[] }>('/dispatches?status=open&limit=100');
      const withTasks = open.items.filter((d) => d.openTaskCount > 0);
      const details = await Promise.all(withTasks.map((d) => api.get<DispatchDetail>(`/dispatches/${d.id}`)));
      return details.flatMap((dispatch) => dispatch.tasks.filter((t) => t.officerId === session.me.id && !t.clearedAt).map((task) => ({ dispatch, task })));
    },
  });
  const tasks = query.data ?? null;
  const error = query.error ? (query.error as Error).message : null;
  const load = async () => void (await query.refetch());

  return (
    <section aria-labelledby="my-tasks-title" className="officer">
      <h1 id="my-tasks-title">My tasks</h1>
      <ErrorNote error={error} />
      <div aria-live="polite">
        {tasks === null ? (
          <Spinner />
        ) : tasks.length === 0 ? (
          <p className="empty">No open task. New assignments appear here as they are made.</p>
        ) : (
          tasks.map((t) => <TaskCard key={t.task.id} item={t} onCleared={load} />)
        )}
      </div>
    </section>
  );
}

function TaskCard({ item, onCleared }: { item: MyTask; onCleared: () => Promise<void> }) {
  const session = useSession();
  const { dispatch, task } = item;
  const [chatOpen, setChatOpen] = useState(false);
  const clearing = useAction();
  return (
    <article className="card officer-task" aria-labelledby={`task-${task.id}`}>
      <h2 id={`task-${task.id}`}>
        {dispatch.number} · {dispatch.title}
      </h2>
      <p>
        <strong>{task.description}</strong>
      </p>
      <p className="muted">
        {dispatch.address ? `${dispatch.address} · ` : ''}
        {zoneNameOf(session, dispatch.zoneId)}
      </p>
      <ErrorNote error={clearing.error} />
      <div className="actions">
        <button type="button" className="primary" aria-expanded={chatOpen} onClick={() => setChatOpen(!chatOpen)}>
          {chatOpen ? 'Hide chat' : 'Chat'}
        </button>
        <button
          type="button"
          disabled={clearing.busy}
          onClick={async () => {
            if ((await clearing.run(() => api.post(`/dispatches/${dispatch.id}/tasks/${task.id}/clear`))) !== undefined) await onCleared();
          }}
        >
          Clear task
        </button>
      </div>
      {chatOpen && <DispatchMessages dispatch={dispatch} compact />}
      <p className="small">
        <Link to={dispatchPath(dispatch.number)}>Dispatch details</Link>
      </p>
    </article>
  );
}
