package telegram

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"dvcbot/chat"
	"dvcbot/internal/fakebotapi"
)

// BenchmarkRoundTrip measures the transport's own ceiling: N users in
// distinct chats each send a message as soon as the previous one is
// answered; the handler replies at once. The fake Bot API server runs in
// the same process on loopback (it takes a good share of the CPU).
func BenchmarkRoundTrip(b *testing.B) {
	for _, chats := range []int{1, 50, 200} {
		b.Run(fmt.Sprintf("chats=%d", chats), func(b *testing.B) {
			h := newHarness(b, 1, func(o *Options) { o.Rate.GlobalPerSecond = -1 })
			h.srv.SetSentLimit(100)
			answered := make([]chan struct{}, chats+1)
			for i := range answered {
				answered[i] = make(chan struct{}, 1)
			}
			h.srv.OnSent(func(m fakebotapi.SentMessage) { answered[m.ChatID] <- struct{}{} })
			h.run(b, handlerFunc(func(_ context.Context, in chat.Input) ([]chat.Reply, error) {
				return []chat.Reply{{To: in.Chat, Text: "Đã lưu hộ " + chat.Bold("Nguyễn Văn A") + "."}}, nil
			}))
			var left atomic.Int64
			left.Store(int64(b.N))
			b.ResetTimer()
			cpu0 := cpuTime()
			var wg sync.WaitGroup
			for c := 1; c <= chats; c++ {
				wg.Add(1)
				go func(id int64) {
					defer wg.Done()
					for left.Add(-1) >= 0 {
						h.srv.SendText(id, id, "/baocao Nguyễn Văn A; tổ 1; 0912345678; khai sinh")
						<-answered[id]
					}
				}(int64(c))
			}
			wg.Wait()
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
			// CPU per message (transport, fake server and the simulated users
			// together) says more than msgs/s on a shared machine.
			b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-µs/msg")
		})
	}
}

// BenchmarkReplyParts renders a typical answer to a saved report (bold
// spans, a choice) as Telegram HTML parts: work the transport does for
// every reply.
func BenchmarkReplyParts(b *testing.B) {
	r := chat.Reply{To: chat.Addr(chat.Telegram, "700001"),
		Text: "✅ " + chat.Bold("Đã lưu") + " báo cáo số 12: hộ " + chat.Bold("Nguyễn Văn <An> & con") + " — Đăng ký khai sinh.\n" +
			"Hôm nay ấp Bãi Nhà đã hướng dẫn 3 hộ — " + chat.Bold("đạt") + " chỉ tiêu ngày ✓\n" +
			"Có ảnh minh chứng thì gửi ngay trong 30 phút. Báo cáo nhầm? Bấm «Hoàn tác» (trong 24 giờ).",
		Choices: [][]chat.Choice{{{Label: "↩️ Hoàn tác", Value: "undo:12", TypedOnly: true}}}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := replyParts(r); err != nil {
			b.Fatal(err)
		}
	}
}
