package ops

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// TelegramStats is what the transport counts, read at every scrape.
type TelegramStats struct {
	Sent      uint64         // messages Telegram accepted
	Failed    uint64         // replies given up on
	APIErrors map[int]uint64 // failed API calls by error code (0: network or unreadable answer)
	Queued    int            // replies waiting to be sent
	LastOK    time.Time      // last successful answer of the Bot API
}

// ZaloStats is what the Zalo transport counts for the plan's quotas
// (month to date, Asia/Ho_Chi_Minh calendar month), read at every scrape.
type ZaloStats struct {
	Month        string // "2026-12"
	MessagesIn   int
	MessagesOut  int
	Users        int // distinct people who wrote this month
	MessageQuota int
	UserQuota    int
	Sent         uint64 // since start
	Failed       uint64
	Uncertain    uint64 // sends that may or may not have arrived (never resent)
	QuotaSkipped uint64 // optional sends left out near the quota
	Queued       int
}

// Sources are read at every scrape; nil fields are left out.
type Sources struct {
	Telegram func() TelegramStats
	// Zalo is the Zalo channel's quota and sending figures.
	Zalo func() ZaloStats
	// OutboxDepth is the number of scheduled posts not yet sent.
	OutboxDepth func() (int, error)
	// LastBackup is the time of the newest backup (zero: none yet).
	LastBackup func() time.Time
	// WebhookPending is Telegram's count of updates waiting for the
	// webhook (getWebhookInfo), -1 when unknown.
	WebhookPending func() int
}

// Metrics records what the bot does, in its own registry.
type Metrics struct {
	reg     *prometheus.Registry
	updates *prometheus.CounterVec
	reports prometheus.Counter
	latency prometheus.Histogram
	backups *prometheus.CounterVec
}

// NewMetrics makes a registry with the bot's metrics, the Go runtime and
// process collectors, and a collector reading src at every scrape.
func NewMetrics(src Sources) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		updates: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dvcbot_updates_handled_total",
			Help: "Updates (messages, button presses) handed to the conversation engine, by result (ok, error).",
		}, []string{"result"}),
		reports: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "dvcbot_reports_saved_total",
			Help: "Guidance reports durably saved since the process started.",
		}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "dvcbot_reply_latency_seconds",
			Help: "Time from an update reaching the bot to its replies being ready to send (engine step and durable commit included).",
			// Fine below 50 ms, where the targets are.
			Buckets: []float64{.001, .002, .005, .01, .02, .05, .1, .2, .5, 1, 2, 5},
		}),
		backups: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dvcbot_backups_total",
			Help: "Backups attempted, by result (ok, error).",
		}, []string{"result"}),
	}
	m.updates.WithLabelValues("ok")
	m.updates.WithLabelValues("error")
	m.backups.WithLabelValues("ok")
	m.backups.WithLabelValues("error")
	m.reg.MustRegister(m.updates, m.reports, m.latency, m.backups,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		newSourceCollector(src))
	return m
}

// Registry is the private registry (tests gather from it).
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the registry in Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg, ErrorHandling: promhttp.ContinueOnError})
}

// ObserveUpdate records one handled update and how long it took.
func (m *Metrics) ObserveUpdate(d time.Duration, err error) {
	res := "ok"
	if err != nil {
		res = "error"
	}
	m.updates.WithLabelValues(res).Inc()
	m.latency.Observe(d.Seconds())
}

// ReportsSaved adds n saved reports.
func (m *Metrics) ReportsSaved(n int) { m.reports.Add(float64(n)) }

// BackupDone records a backup attempt.
func (m *Metrics) BackupDone(err error) {
	if err != nil {
		m.backups.WithLabelValues("error").Inc()
		return
	}
	m.backups.WithLabelValues("ok").Inc()
}

// sourceCollector reads Sources at scrape time.
type sourceCollector struct {
	src Sources

	apiErrors, sent, failed, queued, lastOK, outbox, lastBackup, webhookPending *prometheus.Desc

	zaloMonth, zaloUsers, zaloQuota, zaloUserQuota, zaloSent, zaloFailed, zaloUncertain, zaloSkipped, zaloQueued *prometheus.Desc
}

func newSourceCollector(src Sources) *sourceCollector {
	return &sourceCollector{
		src: src,
		apiErrors: prometheus.NewDesc("dvcbot_telegram_api_errors_total",
			"Failed Bot API calls by error code (0: network error or unreadable answer).", []string{"code"}, nil),
		sent: prometheus.NewDesc("dvcbot_telegram_messages_sent_total",
			"Messages Telegram accepted.", nil, nil),
		failed: prometheus.NewDesc("dvcbot_telegram_messages_failed_total",
			"Replies the transport gave up on (blocked chat, rejected, Telegram unavailable after retries).", nil, nil),
		queued: prometheus.NewDesc("dvcbot_telegram_send_queue",
			"Replies waiting to be sent.", nil, nil),
		lastOK: prometheus.NewDesc("dvcbot_telegram_last_ok_timestamp_seconds",
			"Unix time of the Bot API's last successful answer.", nil, nil),
		outbox: prometheus.NewDesc("dvcbot_outbox_depth",
			"Scheduled posts (reminders, leaderboards, reviews) stored and not yet sent.", nil, nil),
		lastBackup: prometheus.NewDesc("dvcbot_last_backup_timestamp_seconds",
			"Unix time of the newest backup file (0: none yet).", nil, nil),
		webhookPending: prometheus.NewDesc("dvcbot_webhook_pending_updates",
			"Updates Telegram holds for the webhook (getWebhookInfo).", nil, nil),
		zaloMonth: prometheus.NewDesc("dvcbot_zalo_messages_month",
			"Zalo messages this calendar month (Asia/Ho_Chi_Minh), by direction (in, out): what the plan's monthly quota counts.", []string{"direction"}, nil),
		zaloUsers: prometheus.NewDesc("dvcbot_zalo_users",
			"Distinct people who wrote to the Zalo bot this calendar month.", nil, nil),
		zaloQuota: prometheus.NewDesc("dvcbot_zalo_message_quota",
			"The plan's monthly message quota (zalo.monthly_message_quota).", nil, nil),
		zaloUserQuota: prometheus.NewDesc("dvcbot_zalo_user_quota",
			"The plan's user quota (zalo.user_quota).", nil, nil),
		zaloSent: prometheus.NewDesc("dvcbot_zalo_messages_sent_total",
			"Zalo messages accepted since the process started.", nil, nil),
		zaloFailed: prometheus.NewDesc("dvcbot_zalo_messages_failed_total",
			"Zalo replies given up on since the process started.", nil, nil),
		zaloUncertain: prometheus.NewDesc("dvcbot_zalo_messages_uncertain_total",
			"Zalo sends whose answer never came (perhaps delivered; never sent again).", nil, nil),
		zaloSkipped: prometheus.NewDesc("dvcbot_zalo_optional_skipped_total",
			"Optional Zalo messages left out near the monthly quota.", nil, nil),
		zaloQueued: prometheus.NewDesc("dvcbot_zalo_send_queue",
			"Zalo replies waiting to be sent.", nil, nil),
	}
}

// Describe sends nothing: the collector is unchecked, because which
// series exist depends on the sources given and the error codes seen.
func (c *sourceCollector) Describe(chan<- *prometheus.Desc) {}

// Collect reads the sources.
func (c *sourceCollector) Collect(ch chan<- prometheus.Metric) {
	if c.src.Telegram != nil {
		st := c.src.Telegram()
		for code, n := range st.APIErrors {
			ch <- prometheus.MustNewConstMetric(c.apiErrors, prometheus.CounterValue, float64(n), strconv.Itoa(code))
		}
		ch <- prometheus.MustNewConstMetric(c.sent, prometheus.CounterValue, float64(st.Sent))
		ch <- prometheus.MustNewConstMetric(c.failed, prometheus.CounterValue, float64(st.Failed))
		ch <- prometheus.MustNewConstMetric(c.queued, prometheus.GaugeValue, float64(st.Queued))
		ch <- prometheus.MustNewConstMetric(c.lastOK, prometheus.GaugeValue, unixSeconds(st.LastOK))
	}
	if c.src.Zalo != nil {
		z := c.src.Zalo()
		ch <- prometheus.MustNewConstMetric(c.zaloMonth, prometheus.GaugeValue, float64(z.MessagesIn), "in")
		ch <- prometheus.MustNewConstMetric(c.zaloMonth, prometheus.GaugeValue, float64(z.MessagesOut), "out")
		ch <- prometheus.MustNewConstMetric(c.zaloUsers, prometheus.GaugeValue, float64(z.Users))
		ch <- prometheus.MustNewConstMetric(c.zaloQuota, prometheus.GaugeValue, float64(z.MessageQuota))
		ch <- prometheus.MustNewConstMetric(c.zaloUserQuota, prometheus.GaugeValue, float64(z.UserQuota))
		ch <- prometheus.MustNewConstMetric(c.zaloSent, prometheus.CounterValue, float64(z.Sent))
		ch <- prometheus.MustNewConstMetric(c.zaloFailed, prometheus.CounterValue, float64(z.Failed))
		ch <- prometheus.MustNewConstMetric(c.zaloUncertain, prometheus.CounterValue, float64(z.Uncertain))
		ch <- prometheus.MustNewConstMetric(c.zaloSkipped, prometheus.CounterValue, float64(z.QuotaSkipped))
		ch <- prometheus.MustNewConstMetric(c.zaloQueued, prometheus.GaugeValue, float64(z.Queued))
	}
	if c.src.OutboxDepth != nil {
		if n, err := c.src.OutboxDepth(); err == nil {
			ch <- prometheus.MustNewConstMetric(c.outbox, prometheus.GaugeValue, float64(n))
		} else {
			ch <- prometheus.NewInvalidMetric(c.outbox, err)
		}
	}
	if c.src.LastBackup != nil {
		ch <- prometheus.MustNewConstMetric(c.lastBackup, prometheus.GaugeValue, unixSeconds(c.src.LastBackup()))
	}
	if c.src.WebhookPending != nil {
		if n := c.src.WebhookPending(); n >= 0 {
			ch <- prometheus.MustNewConstMetric(c.webhookPending, prometheus.GaugeValue, float64(n))
		}
	}
}

func unixSeconds(t time.Time) float64 {
	if t.IsZero() {
		return 0
	}
	return float64(t.UnixNano()) / 1e9
}
