// Package zalo is the Zalo Bot Platform transport: a small net/http client
// of the Bot API (no SDK is served here), a webhook handler and a polling
// loop that turn Zalo updates into chat.Input for a Handler, and a sender
// that renders chat.Reply as Zalo messages within Zalo's limits and quota.
// It depends on dvcbot/chat only. docs/zalo.md describes the API as the
// public sources show it.
//
// # Receiving
//
// Webhook mode (production): Run listens on Options.Listen (or the caller
// mounts WebhookHandler on its own listener, serving before Run), then
// calls setWebhook and logs Zalo's probe result (a failed probe is a
// warning with Zalo's hint, not an error; testWebhook is never called).
// Every push is checked (secret in constant time → 401, body ≤ 1 MiB →
// 413, JSON → 400), handled synchronously and answered 200 only after
// Handle returned nil: Zalo never re-delivers, so the engine must have
// stored the update before the 200. A Handle error answers 500 and is
// logged with ids only. Pushes may be root-level or wrapped in {ok,result}.
//
// Polling mode (development): deleteWebhook, then getUpdates in a loop; a
// 408 is an idle poll, a 401 ends Run with ErrUnauthorized, other failures
// back off exponentially with jitter.
//
// Both deduplicate on event_name:message_id in a bounded memory window (a
// duplicate arriving while the first is being handled waits for it; a
// failed one is forgotten so that a later copy is handled); Input.Update
// carries the same key so that the engine deduplicates durably.
//
// Groups: only messages of the groups Options.Groups returns are handled,
// and messages starting with /nhom (a leader linking a group). A leading
// @mention of the bot is stripped ("@<bot name>", or any "@…" right before
// a /command, since the exact mention text is undocumented).
//
// Received pictures are downloaded at once (Zalo's URLs expire) into
// Photo.Data; on failure Photo.Ref keeps the URL. Stickers, voice messages
// and unsupported content set Input.Unsupported ("sticker", "voice",
// "unsupported"); unknown event names are ignored.
//
// # Sending
//
// Replies become plain text: bold spans become text_styles "b" ranges in
// UTF-16 units (Options.NoTextStyles turns them off), code and
// preformatted text stay plain, choices become numbered lines ("1. Nhãn",
// numbered like the engine: only choices with a Value, in reading order),
// links "Nhãn: URL", followed by ChoiceHint. Reply.Edit is ignored (a new
// message). Texts longer than Options.TextLimit (2,000 UTF-16 units) are
// split after a line feed, else after a space, else between grapheme
// clusters, preferring cuts outside bold ranges; line and space cuts are
// taken only in the second half of a chunk, so that a reply costs as few
// messages of the monthly quota as possible. A file goes out as a link
// from Options.FileLinker with its expiry (Asia/Ho_Chi_Minh time) and
// number of uses; a photo through Options.PhotoHost and sendPhoto, the
// text's first chunk as its caption. Without a linker or host the person
// is told so in the text. sendVoice is never used (it silently drops
// messages to groups).
//
// Per chat, replies go out in order, one request at a time; answers go
// before bulk posts, which are paced Options.BulkInterval apart per chat;
// Options.Senders bounds the requests in flight. Nothing that may have
// reached Zalo is sent again (Zalo has no idempotency key): only requests
// that surely never left (a dial error) are retried. Send errors wrap
// chat.ErrRejected (400 and other 4xx), chat.ErrUncertain (timeouts,
// dropped answers, 5xx, Zalo's 403 "internal server error", or a reply of
// which only some chunks went out), chat.ErrQuota (429: all sends then
// fail fast for a pause that doubles on each 429, from BackoffMin up to
// QuotaBackoffMax; or an Optional reply at 95 % of the monthly quota),
// ErrUnavailable (never left) or ErrUnauthorized.
//
// # Quota
//
// Meter counts, per calendar month in Asia/Ho_Chi_Minh (UTC+7, no daylight
// saving; counters restart at local midnight on the 1st), messages in
// (every update carrying a message, including ignored group messages and
// duplicates), messages out (every send call that may have reached Zalo)
// and distinct users who wrote. In + out is compared with
// MonthlyMessageQuota, since Zalo may count both. At 80 % of either quota
// OnQuotaWarning is called once per month; from 95 % of the messages,
// Optional replies are skipped. The state is JSON (MeterState), saved
// through Options.SaveMeter at most every SaveMeterEvery and at Shutdown,
// and restored with Meter().Restore.
package zalo
