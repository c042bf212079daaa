import { useEffect, useState } from 'react';
import { enableNotifications, notificationState, syncPushSubscription, type NotificationState } from '../notifications';
import { useSession } from '../session';

const DISMISSED_KEY = 'messages.notificationPromptDismissed';

/**
 * After login: a clear offer to turn notifications on (the browser is asked only on a click), what
 * to do when the browser refuses, and, once allowed, this device's subscription kept current.
 */
export function NotificationPrompt() {
  const { messagesEnabled } = useSession();
  const [state, setState] = useState<NotificationState>(notificationState);
  const [dismissed, setDismissed] = useState(() => sessionStorage.getItem(DISMISSED_KEY) === 'yes');
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    if (messagesEnabled && state === 'granted') syncPushSubscription().catch((e: Error) => setProblem(e.message));
  }, [messagesEnabled, state]);

  const dismiss = () => {
    sessionStorage.setItem(DISMISSED_KEY, 'yes');
    setDismissed(true);
  };
  const turnOn = async () => {
    setProblem(null);
    try {
      setState(await enableNotifications());
    } catch (e) {
      setState(notificationState());
      setProblem((e as Error).message);
    }
  };

  if (!messagesEnabled || dismissed || state === 'unsupported') return null;
  if (state === 'default') {
    return (
      <div className="banner notify-prompt" role="region" aria-label="Notifications">
        <span>Turn on notifications so urgent messages reach this device even when the app is closed.</span>
        <span className="actions">
          <button className="primary" onClick={() => void turnOn()}>
            Turn on notifications
          </button>
          <button onClick={dismiss}>Not now</button>
        </span>
      </div>
    );
  }
  if (state === 'denied') {
    return (
      <div className="banner notify-prompt" role="region" aria-label="Notifications">
        <span>
          Notifications are blocked for this site, so urgent messages reach you only while this page is open. To allow them, open the
          site settings (the icon left of the address), set Notifications to Allow, then reload this page.
        </span>
        <span className="actions">
          <button onClick={dismiss}>Dismiss</button>
        </span>
      </div>
    );
  }
  if (!problem) return null;
  return (
    <div className="banner notify-prompt" role="region" aria-label="Notifications">
      <span>This browser could not subscribe to push notifications: {problem}</span>
      <span className="actions">
        <button onClick={dismiss}>Dismiss</button>
      </span>
    </div>
  );
}
