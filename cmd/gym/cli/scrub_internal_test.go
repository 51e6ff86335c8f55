package cli

import (
	"bytes"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/config"
)

// Once a config is loaded, what the command prints and the failures it
// writes have its credentials masked, and Run gives the streams back.
func TestScrubMasksCredentials(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.yaml")
	require.NoError(t, os.WriteFile(path, []byte("policy_api_key: sk-abcdef123456\npolicy_base_url: http://u:pa55word@h/v1\nmax_output_tokens: 100\n"), 0o644))
	cfg, err := config.Load(path)
	require.NoError(t, err)
	var out, errb, file bytes.Buffer
	c := &Command{Stdout: &out, Stderr: &errb}
	c.scrub(cfg)
	c.Stderr.Write([]byte("model: 401 invalid key sk-abcdef123456 at http://u:pa55word@h/v1 (max 100)\n"))
	c.Stdout.Write([]byte("key sk-abcdef123456\n"))
	c.scrubbed(&file).Write([]byte(`{"_ng_failure_message":"bad key sk-abcdef123456"}` + "\n"))
	require.Equal(t, "model: 401 invalid key **** at http://u:****@h/v1 (max 100)\n", errb.String())
	require.Equal(t, "key ****\n", out.String())
	require.Equal(t, `{"_ng_failure_message":"bad key ****"}`+"\n", file.String())

	c = &Command{Impls: Builtin(), Stdout: &out, Stderr: &errb}
	c.Run(t.Context(), []string{"reverify", "--config", path, "--input", "nope.jsonl", "--output", "x.jsonl"})
	require.Same(t, &errb, c.Stderr.(*bytes.Buffer), "Run restores the streams")
}

// Past the cap, a connection waits to be accepted until another closes.
func TestLimitListener(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	l := limitListener(ln, 2)
	defer l.Close()
	accepted := make(chan net.Conn, 3)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			accepted <- c
		}
	}()
	for range 3 {
		c, err := net.Dial("tcp", ln.Addr().String())
		require.NoError(t, err)
		defer c.Close()
	}
	first, second := <-accepted, <-accepted
	select {
	case <-accepted:
		t.Fatal("a third connection was accepted past the cap of 2")
	case <-time.After(100 * time.Millisecond):
	}
	require.NoError(t, first.Close())
	select {
	case c := <-accepted:
		c.Close()
	case <-time.After(5 * time.Second):
		t.Fatal("the waiting connection was not accepted after one closed")
	}
	second.Close()
}
