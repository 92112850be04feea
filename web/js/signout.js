// signout.js — signing out of a store from the web app.  Entries still in
// this device's outbox would be lost (sign-out wipes the user's offline copy
// and outbox): the user is asked first.
import { logout } from './api.js';
import { confirmDialog } from './dom.js';
import { outboxList } from './outbox.js';

export async function signOut() {
  const waiting = await outboxList();
  if (waiting.length) {
    const n = waiting.length;
    const ok = await confirmDialog('Sign out and discard unsent entries?',
      `${n} ${n === 1 ? 'entry has' : 'entries have'} not reached the store yet. Signing out deletes ${n === 1 ? 'it' : 'them'} from this device.`,
      { confirmLabel: 'Sign out and discard', danger: true });
    if (!ok) return false;
  }
  history.pushState(null, '', '/');
  await logout(); // the session listener shows the sign-in screen
  return true;
}
