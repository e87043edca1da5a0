// {{NAME}}: a go-micro style service in plain Go (standard library only), run by micro-dev.
//
// The contract it follows (environment, registration, heartbeats, wire format, shutdown) is
// docs/writing-a-service.md in micro-dev. In short:
//
//	start   listen on MICRO_SERVER_ADDRESS, register MICRO_SERVER_ADVERTISE in the Consul HTTP API at
//	        MICRO_REGISTRY_ADDRESS with a TTL check, id "<service>-<MICRO_SERVER_ID>"
//	run     pass the TTL check every MICRO_REGISTER_INTERVAL (register again when the registry forgot us);
//	        answer POST / with a Micro-Endpoint header and a JSON body (go-micro's HTTP transport)
//	SIGTERM deregister, finish the calls in flight, exit 0
package main

import (
	"bytes"
	"compress/zlib"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

const shortName = "{{NAME}}"

// The registered name: the API gateway routes GET /{{NAME}}/say/hello to go.micro.api.{{NAME}} Say.Hello.
const serviceName = "go.micro.api." + shortName

// handlers maps an endpoint (Handler.Method) to its function: JSON request and the request's headers in,
// JSON-able answer out.
var handlers = map[string]func(json.RawMessage, http.Header) (any, error){
	// Plain RPC: {"name":"John"} -> {"msg":"Hello John from {{NAME}}"}. Reached through /rpc, the proxy
	// (micro-dev call) and other services' clients.
	"Greeter.Hello": func(raw json.RawMessage, _ http.Header) (any, error) {
		var req struct {
			Name string `json:"name"`
		}
		if err := json.Unmarshal(raw, &req); err != nil {
			return nil, badRequest("cannot decode request: " + err.Error())
		}
		return map[string]string{"msg": greeting(req.Name)}, nil
	},
	// The gateway's api handler: an api.Request in, an api.Response {statusCode, body} out.
	// GET /{{NAME}}/say/hello?name=John -> 200 {"message":"Hello John from {{NAME}}"}
	"Say.Hello": func(raw json.RawMessage, _ http.Header) (any, error) {
		name, err := queryName(raw)
		if err != nil {
			return nil, err
		}
		body, _ := json.Marshal(map[string]string{"message": greeting(name)})
		return map[string]any{"statusCode": 200, "body": string(body)}, nil
	},
	// GET /{{NAME}}/say/relay?name=John -> greeter-srv's greeting, called through the proxy with the trace
	// context forwarded: `micro-dev traces` shows gateway -> {{NAME}} -> proxy -> greeter-srv as one trace.
	"Say.Relay": func(raw json.RawMessage, headers http.Header) (any, error) {
		name, err := queryName(raw)
		if err != nil {
			return nil, err
		}
		var rsp struct {
			Msg string `json:"msg"`
		}
		if err := call("go.micro.srv.greeter", "Say.Hello", map[string]string{"name": name}, headers, &rsp); err != nil {
			return nil, err
		}
		body, _ := json.Marshal(map[string]string{"message": rsp.Msg + " (via " + shortName + ")"})
		return map[string]any{"statusCode": 200, "body": string(body)}, nil
	},
}

// queryName is the `name` query parameter of an api.Request (the gateway's api handler).
func queryName(raw json.RawMessage) (string, error) {
	var req struct {
		Get map[string]struct {
			Values []string `json:"values"`
		} `json:"get"`
	}
	if err := json.Unmarshal(raw, &req); err != nil {
		return "", badRequest("cannot decode request: " + err.Error())
	}
	name := strings.Join(req.Get["name"].Values, " ")
	if name == "" {
		return "", badRequest("Name cannot be blank")
	}
	return name, nil
}

var callClient = &http.Client{Timeout: 5 * time.Second}

// call is a go-micro call through micro-dev's proxy (MICRO_PROXY_ADDRESS, the service's outbound link).
// The request's W3C trace context (traceparent, tracestate) goes along, so the call joins the caller's trace.
func call(service, endpoint string, body any, headers http.Header, out any) error {
	proxy := os.Getenv("MICRO_PROXY_ADDRESS")
	if proxy == "" {
		return &microError{ID: serviceName, Code: 500, Detail: "no MICRO_PROXY_ADDRESS to call " + service + " through", Status: "Internal Server Error"}
	}
	payload, _ := json.Marshal(body)
	req, err := http.NewRequest(http.MethodPost, "http://"+proxy+"/", bytes.NewReader(payload))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Micro-Service", service)
	req.Header.Set("Micro-Endpoint", endpoint)
	for _, k := range []string{"traceparent", "tracestate"} {
		if v := headers.Get(k); v != "" {
			req.Header.Set(k, v)
		}
	}
	rsp, err := callClient.Do(req)
	if err != nil {
		return err
	}
	defer rsp.Body.Close()
	text, err := io.ReadAll(rsp.Body)
	if err != nil {
		return err
	}
	if e := rsp.Header.Get("Micro-Error"); e != "" {
		return errors.New(e)
	}
	if rsp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", rsp.Status, strings.TrimSpace(string(text)))
	}
	return json.Unmarshal(text, out)
}

func greeting(name string) string { return "Hello " + name + " from " + shortName }

// microError is go-micro's error shape; it travels in the Micro-Error response header.
type microError struct {
	ID     string `json:"id"`
	Code   int    `json:"code"`
	Detail string `json:"detail"`
	Status string `json:"status"`
}

func (e *microError) Error() string { b, _ := json.Marshal(e); return string(b) }

func badRequest(detail string) error {
	return &microError{ID: serviceName, Code: 400, Detail: detail, Status: "Bad Request"}
}

// serveRPC answers go-micro's HTTP transport: POST (any path), Micro-Endpoint names Handler.Method, the
// body is the JSON request. Always 200; an error goes in Micro-Error with an empty body.
func serveRPC(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		// Not a call: a plain GET (a health check, a static reverse proxy in front) learns who answers.
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"service": serviceName, "status": "ok"})
		return
	}
	header := func(k string) string {
		if v := r.Header.Get(k); v != "" {
			return v
		}
		return r.Header.Get("X-" + k)
	}
	endpoint := header("Micro-Endpoint")
	if endpoint == "" {
		endpoint = header("Micro-Method")
	}
	body, err := io.ReadAll(r.Body)
	var result any
	if err == nil {
		if len(bytes.TrimSpace(body)) == 0 {
			body = []byte("{}")
		}
		if fn, ok := handlers[endpoint]; ok {
			result, err = fn(body, r.Header)
		} else {
			err = fmt.Errorf("rpc: can't find method %s", endpoint)
		}
	}
	for _, k := range []string{"Micro-Id", "Micro-Service", "Micro-Method", "Micro-Endpoint"} {
		v := header(k)
		if k == "Micro-Method" || k == "Micro-Endpoint" {
			v = endpoint
		}
		w.Header().Set(k, v)
		w.Header().Set("X-"+k, v)
	}
	if err != nil {
		w.Header().Set("Micro-Error", err.Error())
		w.Header().Set("X-Micro-Error", err.Error())
		w.WriteHeader(http.StatusOK)
		return
	}
	out, _ := json.Marshal(result)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(append(out, '\n'))
}

func main() {
	log.SetFlags(0)
	listenAt := env("MICRO_SERVER_ADDRESS", "127.0.0.1:0")
	if strings.HasPrefix(listenAt, ":") {
		listenAt = "127.0.0.1" + listenAt
	}
	listener, err := net.Listen("tcp", listenAt)
	if err != nil {
		log.Fatalf("cannot listen on %s: %v", listenAt, err)
	}
	server := &http.Server{Handler: http.HandlerFunc(serveRPC), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := server.Serve(listener); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Fatalf("server: %v", err)
		}
	}()

	reg := newRegistration(listener.Addr().String())
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	reg.keepAlive(ctx)

	// SIGTERM: leave the registry first (callers stop picking us), then finish what is in flight.
	reg.deregister()
	drain, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = server.Shutdown(drain)
	log.Printf("stopped %s", reg.id)
}

// registration is this instance's entry in the Consul HTTP API at MICRO_REGISTRY_ADDRESS.
type registration struct {
	registry string
	token    string
	id       string
	host     string
	port     int
	ttl      string
	interval time.Duration
	client   *http.Client
}

func newRegistration(bound string) *registration {
	advertise := env("MICRO_SERVER_ADVERTISE", bound)
	host, portText, err := net.SplitHostPort(advertise)
	if err != nil {
		log.Fatalf("MICRO_SERVER_ADVERTISE %q is not host:port", advertise)
	}
	port, _ := strconv.Atoi(portText)
	interval, err := time.ParseDuration(env("MICRO_REGISTER_INTERVAL", "30s"))
	if err != nil || interval <= 0 {
		log.Fatalf("MICRO_REGISTER_INTERVAL %q is not a duration", os.Getenv("MICRO_REGISTER_INTERVAL"))
	}
	registry := strings.Split(env("MICRO_REGISTRY_ADDRESS", "127.0.0.1:8500"), ",")[0]
	if !strings.HasPrefix(registry, "http://") && !strings.HasPrefix(registry, "https://") {
		registry = "http://" + registry
	}
	// micro-dev finds this instance by the id suffix MICRO_SERVER_ID (or by the advertised address).
	serverID := os.Getenv("MICRO_SERVER_ID")
	if serverID == "" {
		serverID = randomID()
	}
	timeout := 2 * interval
	if timeout < time.Second {
		timeout = time.Second
	}
	return &registration{
		registry: registry,
		token:    os.Getenv("MICRO_REGISTRY_TOKEN"),
		id:       serviceName + "-" + serverID,
		host:     host,
		port:     port,
		ttl:      env("MICRO_REGISTER_TTL", "60s"),
		interval: interval,
		client:   &http.Client{Timeout: timeout},
	}
}

// keepAlive registers, then passes the TTL check every interval until ctx ends. A failed pass (the
// registry restarted, or our entry expired) registers again; errors are logged, never fatal.
func (r *registration) keepAlive(ctx context.Context) {
	registered := false
	tick := time.NewTicker(r.interval)
	defer tick.Stop()
	for {
		if !registered {
			if err := r.register(); err != nil {
				log.Printf("register %s: %v", r.id, err)
			} else {
				registered = true
				log.Printf("registered %s %s at %s:%d", serviceName, r.id, r.host, r.port)
			}
		}
		if registered {
			if err := r.put("/v1/agent/check/pass/service:"+r.id, nil); err != nil {
				log.Printf("heartbeat %s: %v", r.id, err)
				registered = false
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

func (r *registration) register() error {
	ttl, err := time.ParseDuration(r.ttl)
	if err != nil {
		return fmt.Errorf("MICRO_REGISTER_TTL %q is not a duration", r.ttl)
	}
	deregisterAfter := ttl + 5*time.Second
	if deregisterAfter < 65*time.Second {
		deregisterAfter = 65 * time.Second
	}
	endpoint := func(name string) string {
		return "e-" + encodeTag(fmt.Sprintf(`{"name":%q,"request":null,"response":null,"metadata":{}}`, name))
	}
	tags := []string{"v-" + encodeTag("latest")}
	for k, v := range map[string]string{"protocol": "mucp", "server": "mucp", "transport": "http", "registry": "consul", "broker": "http"} {
		tags = append(tags, "t-"+encodeTag(fmt.Sprintf(`{%q:%q}`, k, v)))
	}
	for name := range handlers {
		tags = append(tags, endpoint(name))
	}
	body, _ := json.Marshal(map[string]any{
		"ID": r.id, "Name": serviceName, "Address": r.host, "Port": r.port, "Tags": tags,
		"Check": map[string]string{"TTL": r.ttl, "DeregisterCriticalServiceAfter": deregisterAfter.String()},
	})
	return r.put("/v1/agent/service/register", body)
}

func (r *registration) deregister() {
	if err := r.put("/v1/agent/service/deregister/"+r.id, nil); err != nil {
		log.Printf("deregister %s: %v", r.id, err)
	}
}

func (r *registration) put(path string, body []byte) error {
	req, err := http.NewRequest(http.MethodPut, r.registry+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	if r.token != "" {
		req.Header.Set("X-Consul-Token", r.token)
	}
	rsp, err := r.client.Do(req)
	if err != nil {
		return err
	}
	defer rsp.Body.Close()
	text, _ := io.ReadAll(rsp.Body)
	if rsp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", rsp.Status, strings.TrimSpace(string(text)))
	}
	return nil
}

// encodeTag is go-micro's Consul tag value: hex(zlib(text)).
func encodeTag(text string) string {
	var buf bytes.Buffer
	w := zlib.NewWriter(&buf)
	_, _ = w.Write([]byte(text))
	_ = w.Close()
	return hex.EncodeToString(buf.Bytes())
}

func randomID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

func env(key, fallback string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return fallback
}
