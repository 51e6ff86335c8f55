package model_test

import (
	"encoding/json"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/internal/benchcpu"
	"github.com/gymkit/gym/internal/trusted"
	"github.com/gymkit/gym/model"
	"github.com/gymkit/gym/rollout"
)

// longGeneration returns vLLM's answer to a call that generated n tokens
// with a reasoning parser and token ids on: reasoning and text (about four
// characters a token, with newlines and quotes to escape), one logprobs
// entry per token as vLLM writes it with return_tokens_as_token_ids, the
// generation's token_ids and a 2k-token prompt.
func longGeneration(n int) []byte {
	rng := rand.New(rand.NewPCG(1, 2))
	words := []string{"the", "model", "should", "call", "get_weather", "\"city\"", "then", "answer.\n", "Let", "me", "check:", "{\"a\": 1}"}
	text := func(tokens int) string {
		var b strings.Builder
		for b.Len() < tokens*4 {
			b.WriteString(words[rng.IntN(len(words))])
			b.WriteByte(' ')
		}
		return b.String()
	}
	var b []byte
	b = append(b, `{"id":"chatcmpl-b","object":"chat.completion","created":1700000000,"model":"Qwen/Qwen3-8B","choices":[{"index":0,"message":{"role":"assistant","content":`...)
	b = strconv.AppendQuote(b, text(n/4)) // ASCII text: Go quoting is valid JSON
	b = append(b, `,"refusal":null,"annotations":null,"audio":null,"function_call":null,"tool_calls":[],"reasoning_content":`...)
	b = strconv.AppendQuote(b, text(3*n/4))
	b = append(b, `},"logprobs":{"content":[`...)
	ids := make([]int, n)
	for i := range ids {
		ids[i] = rng.IntN(151000)
		if i > 0 {
			b = append(b, ',')
		}
		tok := "token_id:" + strconv.Itoa(ids[i])
		b = append(b, `{"token":"`...)
		b = append(b, tok...)
		b = append(b, `","logprob":`...)
		b = strconv.AppendFloat(b, -rng.ExpFloat64()*rng.Float64()/100, 'g', -1, 64)
		b = append(b, `,"bytes":[`...)
		for j, c := range []byte(tok) {
			if j > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendInt(b, int64(c), 10)
		}
		b = append(b, `],"top_logprobs":[]}`...)
	}
	b = append(b, `]},"finish_reason":"stop","stop_reason":null,"token_ids":`...)
	b = rollout.AppendInts(b, ids)
	b = append(b, `}],"service_tier":null,"system_fingerprint":null,"usage":{"prompt_tokens":2048,"total_tokens":`...)
	b = strconv.AppendInt(b, int64(2048+n), 10)
	b = append(b, `,"completion_tokens":`...)
	b = strconv.AppendInt(b, int64(n), 10)
	b = append(b, `,"prompt_tokens_details":null},"prompt_logprobs":null,"prompt_token_ids":`...)
	prompt := make([]int, 2048)
	for i := range prompt {
		prompt[i] = rng.IntN(151000)
	}
	b = rollout.AppendInts(b, prompt)
	return append(b, `,"kv_transfer_params":null}`...)
}

// BenchmarkVLLMConvert64k converts a 64k-token generation with token ids
// and logprobs: the chat answer (about 10 MB, most of it the per-token
// logprobs entries) into output items with their tokens, then those items,
// after the row's messages and before a tool output, into the next chat
// request, which sends the tokens back.
func BenchmarkVLLMConvert64k(b *testing.B) {
	const n = 64 * 1024
	raw := longGeneration(n)
	cfg := model.VLLMConfig{Model: "Qwen/Qwen3-8B", ReturnTokenIDInformation: true, UsesReasoningParser: true}
	row, err := rollout.ParseItems([]byte(`[{"role":"system","content":"You are a helpful assistant."},{"role":"user","content":"What is the weather in Paris?"}]`))
	require.NoError(b, err)
	tail := rollout.NewFunctionCallOutput("c1", `{"temp": 21}`)

	convert := func() (*rollout.Response, []byte) {
		resp, err := model.ChatToResponse(cfg, raw, nil)
		if err != nil {
			b.Fatal(err)
		}
		input := append(append(append(make([]rollout.Item, 0, 8), row...), resp.Output...), tail)
		next, err := model.ChatRequest(cfg, &model.Request{Input: input})
		if err != nil {
			b.Fatal(err)
		}
		return resp, next
	}
	checkTrusted(b) // the first conversion validates every value it sets
	resp, next := convert()
	trusted.Check.Store(false)
	tok, err := resp.Output[len(resp.Output)-1].Tokens()
	require.NoError(b, err)
	require.Len(b, tok.GenerationIDs, n)
	require.Contains(b, string(next), `"generation_log_probs":[`)

	b.SetBytes(int64(len(raw) + len(next)))
	b.ReportAllocs()
	start := benchcpu.Now()
	for b.Loop() {
		convert()
	}
	benchcpu.ReportPerCore(b, start, "op")
}

// BenchmarkVLLMConvert64kBaseline only validates the same answer with
// encoding/json.Valid: a yardstick for the machine that runs the benchmark.
func BenchmarkVLLMConvert64kBaseline(b *testing.B) {
	raw := longGeneration(64 * 1024)
	b.SetBytes(int64(len(raw)))
	start := benchcpu.Now()
	for b.Loop() {
		if !json.Valid(raw) {
			b.Fatal("invalid")
		}
	}
	benchcpu.ReportPerCore(b, start, "op")
}
