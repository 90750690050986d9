package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// healthcheck asks a running bot's /healthz (on ops.listen) and fails
// unless it is healthy: the container image has no curl, so Docker's
// HEALTHCHECK runs `dvcbot healthcheck`.
func (e env) healthcheck(ctx context.Context, args []string) error {
	fs := e.flags("healthcheck")
	path := e.configPath(fs)
	if err := e.parse(fs, args); err != nil {
		return err
	}
	cfg, err := e.loadConfig(*path, false)
	if err != nil {
		return err
	}
	if cfg.Ops.Listen == "" {
		return fmt.Errorf("ops.listen để trống: bot không mở /healthz nên không có gì để hỏi — đặt ops.listen, ví dụ 127.0.0.1:9090")
	}
	host, port, err := net.SplitHostPort(cfg.Ops.Listen)
	if err != nil {
		return fmt.Errorf("ops.listen %q không đúng dạng máy:cổng: %w", cfg.Ops.Listen, err)
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	url := "http://" + net.JoinHostPort(host, port) + "/healthz"
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("bot không trả lời ở %s (bot chưa chạy, hoặc ops.listen khác): %w", url, err)
	}
	defer resp.Body.Close()
	if _, err := io.Copy(e.stdout, io.LimitReader(resp.Body, 64<<10)); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("bot không ổn: %s trả lời %d (xem các mục \"checks\" ở trên)", url, resp.StatusCode)
	}
	return nil
}
