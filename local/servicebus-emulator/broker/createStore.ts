import { MessageStore, type StoreSettings } from './messageStore';
import { SessionStore } from './sessionStore';

/** The store an entity's settings call for: a session store when RequiresSession is set. */
export function createStore(settings: StoreSettings, now: () => number = Date.now): MessageStore {
  return settings.requiresSession ? new SessionStore(settings, now) : new MessageStore(settings, now);
}
