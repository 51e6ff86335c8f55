// Package peerbench measures gym's resources server beside its peer, the
// same routes and bodies on NeMo Gym's stack (FastAPI, pydantic, uvicorn
// with uvloop and httptools: app.py), each in a process of its own, loaded
// by the same Go load generator with 64 keep-alive connections. It reports
// requests per second and the server's CPU time per request, so that the
// ratio is measured in one run, not quoted:
//
//	go test -run='^$' -bench=BenchmarkPeer -benchtime=20000x ./internal/peerbench
//
// The FastAPI side needs Debian's python3-fastapi, python3-uvicorn,
// python3-uvloop and python3-httptools; without them it is skipped with a
// message.
package peerbench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gymkit/gym/internal/reftest"
)

const connections = 64

func freePort(tb testing.TB) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

// server is a server process under load.
type server struct {
	url string
	cmd *exec.Cmd
}

// cpu returns the process's user+system CPU time so far.
func (s *server) cpu(tb testing.TB) time.Duration {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.cmd.Process.Pid))
	if err != nil {
		tb.Fatal(err)
	}
	// Fields after the command name (which is in parentheses): utime is
	// the 14th field of the line, stime the 15th, in clock ticks of 1/100 s.
	rest := string(data[bytes.LastIndexByte(data, ')')+2:])
	f := strings.Fields(rest)
	ut, _ := strconv.Atoi(f[11])
	st, _ := strconv.Atoi(f[12])
	return time.Duration(ut+st) * 10 * time.Millisecond
}

func start(tb testing.TB, dir string, name string, args ...string) *server {
	tb.Helper()
	port := freePort(tb)
	for i, a := range args {
		args[i] = strings.ReplaceAll(a, "PORT", port)
	}
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	s := &server{url: "http://127.0.0.1:" + port, cmd: cmd}
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Post(s.url+"/seed_session", "application/json", strings.NewReader(`{"responses_create_params":{"input":"x"}}`))
		if err == nil {
			resp.Body.Close()
			return s
		}
		if time.Now().After(deadline) {
			tb.Fatalf("%s did not start: %v", name, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// load sends b.N POSTs of body to url over 64 connections and reports the
// rate and the server's CPU per request. session, if set, seeds one session
// per connection and sends its cookie with every request.
func load(b *testing.B, s *server, path string, body []byte, session bool) {
	tr := &http.Transport{MaxIdleConnsPerHost: connections, MaxConnsPerHost: connections}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	cookies := make([]string, connections)
	if session {
		for i := range cookies {
			resp, err := client.Post(s.url+"/seed_session", "application/json", strings.NewReader(`{"responses_create_params":{"input":"x"}}`))
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			for _, c := range resp.Cookies() {
				cookies[i] = c.Name + "=" + c.Value
			}
		}
	}
	var next atomic.Int64
	var failed atomic.Int64
	var wg sync.WaitGroup
	cpu0 := s.cpu(b)
	b.ResetTimer()
	t0 := time.Now()
	for w := range connections {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(b.N) {
				req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, s.url+path, bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				if cookies[w] != "" {
					req.Header.Set("Cookie", cookies[w])
				}
				resp, err := client.Do(req)
				if err != nil {
					failed.Add(1)
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					failed.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(t0)
	b.StopTimer()
	if n := failed.Load(); n > 0 {
		b.Fatalf("%d of %d requests failed", n, b.N)
	}
	cpu := s.cpu(b) - cpu0
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "req/s")
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "server-µs/req")
}

// fastapiPython returns a python3 that has NeMo Gym's stack, or "".
func fastapiPython() string {
	for _, py := range []string{"/usr/bin/python3", "python3"} {
		if exec.Command(py, "-c", "import fastapi, uvicorn, uvloop, httptools").Run() == nil {
			return py
		}
	}
	return ""
}

// verifyBody is the /verify request NeMo Gym's agent sends for a recorded
// multi-step rollout (about 15 KB): the dataset row (the recorded rollout
// lacks its task fields) with the episode's response.
func verifyBody(b *testing.B) []byte {
	lines := func(name string) []map[string]json.RawMessage {
		data, err := os.ReadFile(reftest.Path(b, "resources_servers", "example_multi_step", "data", name))
		if err != nil {
			b.Fatal(err)
		}
		var out []map[string]json.RawMessage
		for _, l := range bytes.Split(bytes.TrimSpace(data), []byte("\n")) {
			var m map[string]json.RawMessage
			if err := json.Unmarshal(l, &m); err != nil {
				b.Fatal(err)
			}
			out = append(out, m)
		}
		return out
	}
	// The user's message identifies the row (NeMo Gym's rollout rows carry
	// the input with fields its models added).
	input := func(m map[string]json.RawMessage) any {
		var p struct {
			Input []struct {
				Role    string `json:"role"`
				Content any    `json:"content"`
			} `json:"input"`
		}
		_ = json.Unmarshal(m["responses_create_params"], &p)
		for _, it := range p.Input {
			if it.Role == "user" {
				return it.Content
			}
		}
		return nil
	}
	rollout := lines("example_rollouts.jsonl")[0]
	for _, row := range lines("example.jsonl") {
		if reflect.DeepEqual(input(row), input(rollout)) {
			row["response"] = rollout["response"]
			body, err := json.Marshal(row)
			if err != nil {
				b.Fatal(err)
			}
			return body
		}
	}
	b.Fatal("no dataset row matches the first recorded rollout")
	return nil
}

func BenchmarkPeer(b *testing.B) {
	dir, err := os.Getwd()
	if err != nil {
		b.Fatal(err)
	}
	bin := filepath.Join(b.TempDir(), "gymserver")
	if out, err := exec.Command("go", "build", "-o", bin, "./gymserver").CombinedOutput(); err != nil {
		b.Fatalf("build gymserver: %v\n%s", err, out)
	}
	gym := start(b, dir, bin, "-addr", "127.0.0.1:PORT")
	var peer *server
	if py := fastapiPython(); py != "" {
		peer = start(b, dir, py, "-m", "uvicorn", "app:app", "--loop", "uvloop", "--http", "httptools",
			"--port", "PORT", "--log-level", "warning", "--no-access-log")
	}
	verify := verifyBody(b)
	tool := []byte(`{"synonym": "Blazing"}`)
	skipPeer := func(b *testing.B) {
		if peer == nil {
			b.Skip("FastAPI peer: install python3-fastapi, python3-uvicorn, python3-uvloop and python3-httptools (Debian) to measure it")
		}
	}
	b.Run("verify/gym", func(b *testing.B) { load(b, gym, "/verify", verify, false) })
	b.Run("verify/fastapi", func(b *testing.B) { skipPeer(b); load(b, peer, "/verify", verify, false) })
	b.Run("tool/gym", func(b *testing.B) { load(b, gym, "/get_synonym_value", tool, true) })
	b.Run("tool/bare-go", func(b *testing.B) { load(b, gym, "/bare/get_synonym_value", tool, false) })
	b.Run("tool/fastapi", func(b *testing.B) { skipPeer(b); load(b, peer, "/get_synonym_value", tool, false) })
}
