package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gymkit/gym"
	"github.com/gymkit/gym/agent"
	"github.com/gymkit/gym/config"
	"github.com/gymkit/gym/env"
	"github.com/gymkit/gym/internal/httpjson"
	"github.com/gymkit/gym/model"
)

// DefaultHead is where gym run serves the head server, as NeMo Gym does.
const DefaultHead = "127.0.0.1:11000"

// DefaultMaxConnections caps the connections each server of gym run
// serves at once; more wait to be accepted. With the process's body budget
// it bounds what a flood of clients can take.
const DefaultMaxConnections = 4096

// Instance is one running server, as the head server lists it.
type Instance struct {
	Name string      `json:"name"`
	Type config.Kind `json:"type"`
	Impl string      `json:"impl"`
	Host string      `json:"host"`
	Port int         `json:"port"`
	URL  string      `json:"url"`
}

// run starts every server of the composed config and the head server, and
// serves until ctx is cancelled (SIGINT, SIGTERM).
func (c *Command) run(ctx context.Context, args []string) error {
	flags, overrides := splitArgs(args)
	fs := newFlags(c, "run", "gym run --config a.yaml,b.yaml [--head 127.0.0.1:11000] [+key=value ...]")
	var configs listFlag
	fs.Var(&configs, "config", "comma-separated config files (NeMo Gym's config_paths)")
	head := fs.String("head", "", "address of the head server (default: head_server.host/port of the config, else "+DefaultHead+")")
	maxConns := fs.Int("max-connections", DefaultMaxConnections, "connections each server serves at once; more wait to be accepted")
	if err := parseFlags(fs, flags); err != nil {
		return err
	}
	cfg, err := c.loadConfig(configs, overrides)
	if err != nil {
		return err
	}
	c.scrub(cfg)
	inst, err := c.Impls.Build(cfg)
	if err != nil {
		return usageError{err}
	}
	if *head == "" {
		*head = DefaultHead
		if h, ok, _ := setting[string](cfg, "head_server.host"); ok {
			p, _, _ := setting[int](cfg, "head_server.port")
			*head = net.JoinHostPort(h, strconv.Itoa(p))
		}
	}

	var servers []*http.Server
	var closers []io.Closer
	var instances []Instance
	defer func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		for _, s := range servers {
			_ = s.Shutdown(sctx)
		}
		for _, c := range closers {
			_ = c.Close()
		}
	}()
	serve := func(addr string, h http.Handler) (net.Addr, error) {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return nil, err
		}
		s := newHTTPServer(h)
		servers = append(servers, s)
		go func() { _ = s.Serve(limitListener(ln, *maxConns)) }()
		return ln.Addr(), nil
	}
	var hostOverrides []string
	for _, s := range cfg.Servers() {
		h, err := handlerFor(s, inst)
		if err != nil {
			return usageError{err}
		}
		if c, ok := h.(io.Closer); ok {
			closers = append(closers, c)
		}
		host, _, _ := setting[string](cfg, s.Path()+".host")
		if host == "" {
			host = "127.0.0.1"
		}
		port, _, _ := setting[int](cfg, s.Path()+".port")
		addr, err := serve(net.JoinHostPort(host, strconv.Itoa(port)), h)
		if err != nil {
			return fmt.Errorf("serve %s: %w", s.Name, err)
		}
		tcp := addr.(*net.TCPAddr)
		in := Instance{Name: s.Name, Type: s.Kind, Impl: s.Impl, Host: host, Port: tcp.Port,
			URL: "http://" + net.JoinHostPort(host, strconv.Itoa(tcp.Port))}
		instances = append(instances, in)
		hostOverrides = append(hostOverrides, "++"+s.Path()+".host="+host, "++"+s.Path()+".port="+strconv.Itoa(tcp.Port))
		fmt.Fprintf(c.Stderr, "%s (%s %s) at %s\n", in.Name, in.Type, in.Impl, in.URL)
	}

	// The merged config with every server's address, for a collector in
	// another process, with its credentials masked: the head server answers
	// anyone who can reach it.
	global, err := c.loader(configs, append(append([]string{}, overrides...), hostOverrides...)).Load()
	if err != nil {
		return err
	}
	globalYAML, err := global.RedactedYAML()
	if err != nil {
		return err
	}
	list, err := json.Marshal(instances)
	if err != nil {
		return err
	}
	addr, err := serve(*head, headHandler(globalYAML, list))
	if err != nil {
		return fmt.Errorf("head server: %w", err)
	}
	fmt.Fprintf(c.Stderr, "head server at http://%s\nall servers ready\n", addr)
	<-ctx.Done()
	fmt.Fprintln(c.Stderr, "shutting down")
	return nil
}

// headHandler serves the head server's routes: GET
// /global_config_dict_yaml (the merged config, credentials masked), GET
// /server_instances and GET / (liveness). Every other request is answered
// with a JSON error (404, or 405 with Allow), never a redirect.
func headHandler(globalYAML, instances []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer httpjson.Recover(w, func(p any) error { return fmt.Errorf("head server: %v", p) })
		var body []byte
		contentType := "application/json"
		switch r.URL.Path {
		case "/":
			body = []byte("{}")
		case "/global_config_dict_yaml":
			body, contentType = globalYAML, "application/yaml"
		case "/server_instances":
			body = instances
		default:
			httpjson.NotFound(w, r, "the head server answers GET /global_config_dict_yaml, GET /server_instances and GET /")
			return
		}
		if err := httpjson.CheckMethod(w, r, http.MethodGet); err != nil {
			httpjson.WriteError(w, 0, err)
			return
		}
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(http.StatusOK)
		if r.Method != http.MethodHead {
			_, _ = w.Write(body)
		}
	})
}

// handlerFor returns the HTTP handler that serves a built server instance.
func handlerFor(s config.Server, inst *gym.Instances) (http.Handler, error) {
	switch s.Kind {
	case config.Models:
		m, ok := inst.Models[s.Name]
		if !ok {
			return nil, fmt.Errorf("gym run: model %q was not built", s.Name)
		}
		return model.Handler(m), nil
	case config.Resources:
		r, ok := inst.Resources[s.Name]
		if !ok {
			return nil, fmt.Errorf("gym run: resources server %q was not built", s.Name)
		}
		return env.NewHandler(r.Server, r.Verifier), nil
	default:
		a, err := inst.Registry.Lookup(s.Name)
		if err != nil {
			return nil, err
		}
		return agent.Handler(a), nil
	}
}

// newHTTPServer is an http.Server with the timeouts a long-running service
// needs: slow or idle clients cannot hold connections forever (a body must
// also keep pace as it arrives, see httpjson.ReadBody). There is no write
// timeout: a rollout may legitimately take minutes.
func newHTTPServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       5 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    1 << 20,
	}
}

// fetchInstances asks a head server for its server instances.
func fetchInstances(ctx context.Context, head string) ([]Instance, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, head+"/server_instances", nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("head server %s: %w (is gym run running?)", head, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("head server %s: GET /server_instances: %s", head, resp.Status)
	}
	var list []Instance
	if err := json.NewDecoder(http.MaxBytesReader(nil, resp.Body, 16<<20)).Decode(&list); err != nil {
		return nil, fmt.Errorf("head server %s: /server_instances: %w", head, err)
	}
	if len(list) == 0 {
		return nil, errors.New("head server lists no servers")
	}
	return list, nil
}

// limitListener accepts at most n connections at once (n <= 0: no cap);
// the others wait in the listen backlog until one closes.
func limitListener(ln net.Listener, n int) net.Listener {
	if n <= 0 {
		return ln
	}
	return &capped{Listener: ln, slots: make(chan struct{}, n), done: make(chan struct{})}
}

type capped struct {
	net.Listener
	slots     chan struct{}
	done      chan struct{}
	closeOnce sync.Once
}

func (l *capped) Accept() (net.Conn, error) {
	select {
	case l.slots <- struct{}{}:
	case <-l.done:
		return nil, net.ErrClosed
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.slots
		return nil, err
	}
	return &slotConn{Conn: c, release: sync.OnceFunc(func() { <-l.slots })}, nil
}

func (l *capped) Close() error {
	l.closeOnce.Do(func() { close(l.done) })
	return l.Listener.Close()
}

type slotConn struct {
	net.Conn
	release func()
}

func (c *slotConn) Close() error {
	err := c.Conn.Close()
	c.release()
	return err
}
