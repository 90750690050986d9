package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
)

// Issue 12 item 20: every subcommand's --help (and -h, and «help <lệnh>»)
// exits 0 and prints that command's help in Vietnamese, every flag it
// defines described.
func TestEverySubcommandHelp(t *testing.T) {
	for _, c := range commands() {
		for _, args := range [][]string{{c.name, "--help"}, {c.name, "-h"}, {"help", c.name}, {c.name, "--format", "csv", "--help"}} {
			if args[1] == "--format" && c.name != "export" {
				continue
			}
			var out, errOut bytes.Buffer
			e := env{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, st: &runState{}}
			err := e.run(context.Background(), args)
			if err != nil || exitCode(err) != 0 {
				t.Errorf("%v: %v (exit %d)", args, err, exitCode(err))
				continue
			}
			help := out.String()
			for _, want := range []string{"dvcbot " + c.name + " — " + c.summary, "Cách dùng:\n  dvcbot " + c.name} {
				if !strings.Contains(help, want) {
					t.Errorf("%v: help lacks %q:\n%s", args, want, help)
				}
			}
			for _, f := range c.flags {
				if !strings.Contains(help, "--"+f.name) || !strings.Contains(help, f.text) {
					t.Errorf("%v: help does not describe --%s:\n%s", args, f.name, help)
				}
			}
			if len(e.st.undescribed) > 0 {
				t.Errorf("%s defines flags without a description in commands(): %v", c.name, e.st.undescribed)
			}
			for _, english := range []string{"Usage", "usage", "default", "flag"} {
				if strings.Contains(help, english) {
					t.Errorf("%v: help in English (%q):\n%s", args, english, help)
				}
			}
			if errOut.Len() > 0 {
				t.Errorf("%v: wrote to standard error: %s", args, errOut.String())
			}
		}
	}
	// sample-config --help is help, not the YAML.
	r := runCmd(t, "", nil, "sample-config", "--help")
	if r.err != nil || strings.Contains(r.stdout, "campaign:") || !strings.Contains(r.stdout, "dvcbot sample-config — ") {
		t.Errorf("sample-config --help: %v\n%s", r.err, r.stdout)
	}
	// The top-level help lists every command and the demo's --sample-data.
	r = runCmd(t, "", nil, "--help")
	for _, c := range commands() {
		if !strings.Contains(r.stdout, "dvcbot "+c.name) {
			t.Errorf("top-level help lacks %s", c.name)
		}
	}
	if !strings.Contains(r.stdout, "--sample-data") || !strings.Contains(r.stdout, "dvcbot <lệnh> --help") {
		t.Errorf("top-level help:\n%s", r.stdout)
	}
}

// Command-line mistakes are said in Vietnamese with where to read the
// help, exit status 2; a wrong hamlet id lists the valid ones.
func TestCommandLineErrorsInVietnamese(t *testing.T) {
	path := fillDemoStore(t)
	env := []string{"DVCBOT_STORE_PATH=" + path}
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"export", "--bogus"}, []string{"không có tùy chọn --bogus", "Xem: dvcbot export --help"}},
		{[]string{"demo", "--no-such-flag"}, []string{"không có tùy chọn --no-such-flag", "Xem: dvcbot demo --help"}},
		{[]string{"serve", "--config"}, []string{"tùy chọn --config cần một giá trị", "Xem: dvcbot serve --help"}},
		{[]string{"demo", "--fresh=maybe"}, []string{`giá trị "maybe" không hợp lệ cho --fresh`}},
		{[]string{"restore", "--max-gb", "nhiều"}, []string{`giá trị "nhiều" không hợp lệ cho --max-gb`}},
		{[]string{"restore"}, []string{"cần --from"}},
		{[]string{"export", "--format", "pdf"}, []string{`--format "pdf": chỉ có csv hoặc xlsx`}},
		{[]string{"export", "--from", "02/03/2026"}, []string{"NĂM-THÁNG-NGÀY"}},
		{[]string{"export", "--hamlet", "khong-co"}, []string{`--hamlet "khong-co": không có ấp mã này`, "Các mã ấp: bai-nha, ", "Xem: dvcbot export --help"}},
		{[]string{"dossier", "--hamlet", "bai-nah", "--out", t.TempDir()}, []string{`--hamlet "bai-nah"`, "Các mã ấp: bai-nha, "}},
		{[]string{"dossier"}, []string{"cần --hamlet MÃ_ẤP và --out THƯ_MỤC"}},
		{[]string{"reindex", "thừa"}, []string{`không hiểu "thừa"`}},
		{[]string{"frobnicate"}, []string{`không có lệnh "frobnicate"`, "Xem: dvcbot --help"}},
		{nil, []string{"chưa có lệnh"}},
	} {
		r := runCmd(t, "", env, tc.args...)
		if !errors.Is(r.err, errUsage) || exitCode(r.err) != 2 {
			t.Errorf("%v: %v (exit %d), want a usage error", tc.args, r.err, exitCode(r.err))
			continue
		}
		for _, want := range tc.want {
			if !strings.Contains(r.err.Error(), want) {
				t.Errorf("%v: %q lacks %q", tc.args, r.err, want)
			}
		}
		for _, english := range []string{"flag provided", "flag needs", "invalid value", "usage", "want ", "needs", "no such"} {
			if strings.Contains(r.err.Error(), english) {
				t.Errorf("%v: English in %q", tc.args, r.err)
			}
		}
	}
}

// check-config reads DVCBOT_CONFIG like serve, and README step 3 works as
// written: before the token is set it checks everything else, passes, and
// says that serve needs the token; --serve makes that an error.
func TestCheckConfigLikeServe(t *testing.T) {
	good := writeFile(t, "dvcbot.yaml", sampleWith(t))
	bad := writeFile(t, "bad.yaml", sampleWith(t, `households: 812`, `households: 0`))
	r := runCmd(t, "", []string{"DVCBOT_CONFIG=" + bad}, "check-config")
	if r.err == nil || !strings.Contains(r.err.Error(), "hamlets[0].households") || !strings.Contains(r.err.Error(), bad) {
		t.Errorf("check-config with DVCBOT_CONFIG naming a bad file: %v", r.err)
	}
	r = runCmd(t, "", []string{"DVCBOT_CONFIG=" + bad}, "check-config", "--config", good)
	if r.err != nil {
		t.Errorf("--config wins over DVCBOT_CONFIG: %v", r.err)
	}
	// README step 3: no token yet.
	r = runCmd(t, "", nil, "check-config", "--config", good)
	if r.err != nil {
		t.Fatalf("check-config before the token is set: %v", r.err)
	}
	for _, want := range []string{good + ": hợp lệ — 13 ấp", "Còn thiếu để chạy serve", "zalo.token", "DVCBOT_ZALO_TOKEN", "DVCBOT_TELEGRAM_TOKEN"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("check-config output lacks %q:\n%s", want, r.stdout)
		}
	}
	r = runCmd(t, "", nil, "check-config", "--config", good, "--serve")
	if r.err == nil || !strings.Contains(r.err.Error(), "zalo.token") || !strings.Contains(r.err.Error(), "chưa đủ để chạy serve") {
		t.Errorf("check-config --serve without a token: %v", r.err)
	}
	// Webhook mode without its address and secret: also only for serve.
	r = runCmd(t, "", []string{"DVCBOT_TELEGRAM_TOKEN=1:a", "DVCBOT_TELEGRAM_MODE=webhook"}, "check-config", "--config", good)
	if r.err != nil || !strings.Contains(r.stdout, "telegram.webhook.url") || !strings.Contains(r.stdout, "telegram.webhook.secret_token") {
		t.Errorf("webhook mode without url and secret: %v\n%s", r.err, r.stdout)
	}
}
