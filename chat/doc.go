// Package chat is the channel-neutral message model shared by the
// conversation engine, the transports (Telegram, Zalo, the terminal), the
// scheduler's outbox and the store: who a message comes from or goes to
// (Address), what a person did (Input) and what to show them (Reply: text
// with emphasis, choices, a file, a photo). Each transport decides how to
// render a Reply; nothing here knows a channel's markup.
//
// It depends only on the standard library, so every layer can reach it.
package chat
