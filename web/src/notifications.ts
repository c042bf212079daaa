import { api, request } from './api';
import { navigate } from './router';

/** Where this browser stands on notifications: no support, not asked yet, refused, or allowed. */
export type NotificationState = 'unsupported' | 'default' | 'denied' | 'granted';

const supported = () => 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;

export const notificationState = (): NotificationState => (supported() ? (Notification.permission as NotificationState) : 'unsupported');

/** Registers the service worker once per page; a click on a notification moves an open window to its screen. */
export function registerServiceWorker(): void {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.register('/sw.js').catch((error: Error) => console.warn(`service worker: ${error.message}`));
  navigator.serviceWorker.addEventListener('message', (event) => {
    const data = event.data as { type?: string; url?: string } | null;
    if (data?.type === 'open' && typeof data.url === 'string' && data.url.startsWith('/')) navigate(data.url);
  });
}

/** The service worker acknowledges from a notification's button with the signed-in user's token; null takes it back. */
export async function handOverSession(token: string | null): Promise<void> {
  if (!('serviceWorker' in navigator)) return;
  const registration = await navigator.serviceWorker.ready;
  registration.active?.postMessage({ type: 'session', token });
}

const base64url = (bytes: ArrayBuffer | null): string =>
  bytes ? btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '') : '';

function keyBytes(base64: string): Uint8Array<ArrayBuffer> {
  const padded = base64.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (base64.length % 4)) % 4);
  const raw = atob(padded);
  const bytes = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

/**
 * Subscribes this browser with the server's VAPID key and tells the server. A subscription made
 * with another key (the server's keys changed) is dropped and made again; the server is told of
 * the current one on every sign-in, so a renewed subscription reaches it too.
 */
export async function syncPushSubscription(): Promise<void> {
  if (notificationState() !== 'granted') return;
  const { publicKey } = await api.get<{ publicKey: string }>('/push/public-key');
  const registration = await navigator.serviceWorker.ready;
  let subscription = await registration.pushManager.getSubscription();
  if (subscription && base64url(subscription.options.applicationServerKey) !== publicKey) {
    await request('DELETE', '/push/subscriptions', { endpoint: subscription.endpoint }).catch(() => undefined);
    await subscription.unsubscribe();
    subscription = null;
  }
  subscription ??= await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(publicKey) });
  const json = subscription.toJSON();
  await api.post('/push/subscriptions', { endpoint: json.endpoint, keys: json.keys });
}

/** Asks the browser (only ever after a click), then subscribes. */
export async function enableNotifications(): Promise<NotificationState> {
  if (!supported()) return 'unsupported';
  const answer = (await Notification.requestPermission()) as NotificationState;
  if (answer === 'granted') await syncPushSubscription();
  return answer;
}

/** A short two-tone alert for an urgent message, where the browser lets the page make sound. */
export function playUrgentSound(): void {
  try {
    const audio = new AudioContext();
    if (audio.state === 'suspended') return void audio.close();
    const gain = audio.createGain();
    gain.gain.value = 0.15;
    gain.connect(audio.destination);
    [880, 660, 880].forEach((frequency, i) => {
      const tone = audio.createOscillator();
      tone.frequency.value = frequency;
      tone.connect(gain);
      tone.start(audio.currentTime + i * 0.2);
      tone.stop(audio.currentTime + i * 0.2 + 0.18);
    });
    setTimeout(() => void audio.close(), 1000);
  } catch {
    /* no sound allowed here */
  }
}
