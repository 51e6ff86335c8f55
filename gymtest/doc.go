// Package gymtest is the test kit for environment authors: Replay checks an
// environment against rollouts NeMo Gym recorded with a real model, and
// Server is a fake OpenAI-compatible endpoint (Responses, Chat Completions
// with vLLM token ids, /tokenize) that can be scripted per request and made
// to fail, for tests and offline runs.
package gymtest
