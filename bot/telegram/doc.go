// Package telegram is the Telegram transport of the bot: it turns Telegram
// updates into bot.Input for a bot.Handler and sends bot.Reply messages
// back, within Telegram's limits. It is the only package that imports
// github.com/go-telegram-bot-api/telegram-bot-api/v5.
//
// # Receiving: nothing acknowledged is lost
//
// Run polls with its own loop over getUpdates (never the library's
// GetUpdatesChan, which confirms updates before they are handled). Each
// batch is split by chat: the updates of one chat are handled in order, the
// chats concurrently (Options.Workers at a time). The next getUpdates,
// whose offset confirms the batch to Telegram, is made only after every
// update of the batch has been handled, i.e. Handler.Handle has returned
// and so (by the Handler contract) stored its effects durably. A crash at
// any moment therefore loses nothing: Telegram re-delivers what was not
// confirmed.
//
// Re-delivery means an update may reach the Handler twice (after a crash,
// or after a shutdown whose grace period ran out). Recognising an update
// already applied (by Input.UpdateID) is the Handler's job, not the
// transport's: only the Handler can record "applied" in the same
// transaction as the effect.
//
// A Handle error is logged (update id, chat id and the error, never the
// message text) and the update counts as handled: the transport does not
// retry it. In webhook mode (WebhookHandler) a Handle error answers 500 so
// that Telegram retries.
//
// Replies are queued and sent asynchronously after Handle returns; polling
// never waits for sending. Replies to one chat are sent in order, one
// request at a time.
//
// # Sending: one limiter, two priorities
//
// Everything outgoing (replies, and Send for scheduled posts) goes through
// one queue with two priorities. Interactive replies (Reply.Bulk false) are
// always picked before bulk posts. Bulk posts are paced so that the bot
// never exceeds Rate.PerChatPerSecond to a chat and Rate.GroupPerMinute to a
// group (negative chat id); both interactive and bulk messages count in the
// global budget Rate.GlobalPerSecond, counted over a sliding second from
// each request's start to one second after its answer, so that a server
// counting arrivals never sees more than the budget.
//
// Decision: interactive replies are not held back by per-chat pacing.
// Telegram tolerates prompt replies to a user's own messages, and an
// officer must never wait behind a reminder burst. They do count in the
// global budget, and they obey 429/retry_after like everything else. The
// global budget is configuration: the capacity benchmark raises it.
//
// A 429 pauses that chat for retry_after; 429s for two different chats
// within a second are taken as a global flood and pause everything except
// callback answers. 403 (blocked, kicked, can't initiate) calls
// Options.OnBlocked once per chat until a message gets through again and
// fails with ErrBlocked, without retry. "Group chat was upgraded to a
// supergroup" calls Options.OnMigrate and resends to the new id (later
// messages to the old id go to the new one too). Other 400s fail with
// ErrRejected, except "can't parse entities", which is resent once as
// plain text so that the user still gets the message. 5xx, unreadable
// answers and network errors are retried with capped exponential backoff
// (Options.MaxRetries times) and then fail with ErrUnavailable.
//
// A negative chat id is a group (Reply.Group is not needed here and is
// ignored). Texts over 4096 characters are split at line boundaries into several
// messages (open HTML tags are closed and reopened; the keyboard goes on
// the last one). A caption over 1024 characters is sent as a separate
// message after the file.
//
// # Time
//
// Rate limits, retry_after and backoff waits use Options.Now and
// Options.After, so a test can run them on a fast clock shared with the
// fake server (fakebotapi.FastClock) and keep Telegram's real numbers.
package telegram
