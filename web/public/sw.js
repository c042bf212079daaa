/*
 * The web app's service worker: shows the server's Web Push notifications (urgent ones stay until
 * acted on and vibrate), drops one that was read or acknowledged elsewhere, opens the right screen
 * on a click, and acknowledges an urgent message from the notification's button. The signed-in
 * user's token is handed over by the app (and taken back at logout), so the button works while no
 * window is open.
 */
const SESSION_CACHE = 'session';
const TOKEN_KEY = '/session/token';
const URGENT_VIBRATION = [300, 100, 300, 100, 600];

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('message', (event) => {
  const data = event.data || {};
  if (data.type !== 'session') return;
  event.waitUntil(
    caches.open(SESSION_CACHE).then((cache) => (data.token ? cache.put(TOKEN_KEY, new Response(data.token)) : cache.delete(TOKEN_KEY))),
  );
});

async function token() {
  const cache = await caches.open(SESSION_CACHE);
  const stored = await cache.match(TOKEN_KEY);
  return stored ? stored.text() : null;
}

/** One notification per message or conversation: a newer push replaces the one shown. */
function tagOf(ids) {
  if (ids.messageId) return `message-${ids.messageId}`;
  if (ids.conversationId) return `conversation-${ids.conversationId}`;
  return 'messages';
}

function urlOf(push) {
  const ids = push.ids || {};
  if (ids.messageId) return `/messages/${ids.messageId}`;
  if (ids.conversationId) return `/chat/${ids.conversationId}`;
  return '/inbox';
}

/** What a push says; a push without a readable payload still tells the member something came. */
function pushOf(event) {
  let push;
  try {
    push = event.data ? event.data.json() : null;
  } catch {
    push = null;
  }
  return push && typeof push === 'object' ? push : { kind: 'message', title: 'New message', preview: '', ids: {} };
}

function show(push) {
  const ids = push.ids || {};
  const tag = tagOf(ids);
  if (push.kind === 'clear') return self.registration.getNotifications({ tag }).then((shown) => shown.forEach((n) => n.close()));
  const urgent = push.urgent === true;
  const canAcknowledge = urgent && (ids.messageId || (ids.conversationId && ids.seq));
  const title = push.reminder ? push.title : urgent && !/^urgent/i.test(push.title) ? `Urgent: ${push.title}` : push.title;
  return self.registration.showNotification(title || 'New message', {
    body: push.preview || '',
    tag,
    renotify: true,
    requireInteraction: urgent,
    vibrate: urgent ? URGENT_VIBRATION : undefined,
    icon: '/icons/icon-192.png',
    badge: '/icons/icon-192.png',
    data: { url: urlOf(push), ids, urgent },
    actions: canAcknowledge ? [{ action: 'ack', title: 'Acknowledge' }] : [],
  });
}

// Pushes are shown one after another, in the order they arrived: a clear that follows a reminder
// closes it, instead of racing the reminder still being shown.
let shownSoFar = Promise.resolve();
self.addEventListener('push', (event) => {
  const push = pushOf(event);
  const work = shownSoFar.then(() => show(push));
  shownSoFar = work.catch(() => undefined);
  event.waitUntil(work);
});

async function acknowledge(ids) {
  const bearer = await token();
  if (!bearer) return false;
  const path = ids.messageId ? `/api/messages/${ids.messageId}/ack` : `/api/conversations/${ids.conversationId}/messages/${ids.seq}/ack`;
  const res = await fetch(path, { method: 'POST', headers: { Authorization: `Bearer ${bearer}` } });
  return res.ok;
}

/** An open window of the app moves to `url` (it navigates itself); without one, a new window opens. */
async function open(url) {
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const client = windows[0];
  if (!client) return self.clients.openWindow(url);
  client.postMessage({ type: 'open', url });
  return client.focus().catch(() => client);
}

self.addEventListener('notificationclick', (event) => {
  const notification = event.notification;
  const data = notification.data || {};
  notification.close();
  if (event.action === 'ack') {
    // Acknowledged from the notification; should that fail (signed out), the message opens instead.
    event.waitUntil(acknowledge(data.ids || {}).then((ok) => (ok ? undefined : open(data.url || '/inbox'))));
    return;
  }
  event.waitUntil(open(data.url || '/inbox'));
});

/** The push service renewed the subscription: the server learns the new one (and forgets the old) without waiting for a sign-in. */
self.addEventListener('pushsubscriptionchange', (event) => {
  event.waitUntil(
    (async () => {
      const old = event.oldSubscription;
      const renewed = event.newSubscription || (old ? await self.registration.pushManager.subscribe(old.options) : null);
      const bearer = await token();
      if (!renewed || !bearer) return;
      const headers = { 'content-type': 'application/json', Authorization: `Bearer ${bearer}` };
      if (old) await fetch('/api/push/subscriptions', { method: 'DELETE', headers, body: JSON.stringify({ endpoint: old.endpoint }) }).catch(() => undefined);
      const json = renewed.toJSON();
      await fetch('/api/push/subscriptions', { method: 'POST', headers, body: JSON.stringify({ endpoint: json.endpoint, keys: json.keys }) });
    })(),
  );
});
