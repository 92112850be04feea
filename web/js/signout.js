// signout.js — signing out of a store from the web app.  Entries still in
// this device's outbox would be lost (sign-out wipes the user's offline copy
// and outbox): the user is asked first.
import { logout } from './api.js';
import { confirmDialog } from './dom.js';
import { outboxList } from './outbox.js';
import { t } from './i18n.js';

export async function signOut() {
  const waiting = await outboxList();
  if (waiting.length) {
    const ok = await confirmDialog(t('signout.unsent_title'), t('signout.unsent_text', { count: waiting.length }),
      { confirmLabel: t('signout.unsent_confirm'), danger: true });
    if (!ok) return false;
  }
  history.pushState(null, '', '/');
  await logout(); // the session listener shows the sign-in screen
  return true;
}
