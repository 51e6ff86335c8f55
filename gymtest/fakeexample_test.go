package gymtest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"strings"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"

	"github.com/gymkit/gym/gymtest"
)

// A tool loop against the fake server with openai-go: Turns answers every
// conversation's first call with a function call and its second with text.
func Example() {
	srv := gymtest.NewServer(gymtest.Turns(
		gymtest.ToolCall("get_weather", `{"city":"Paris"}`),
		gymtest.Text("It is sunny in Paris."),
	))
	defer srv.Close()

	client := openai.NewClient(option.WithBaseURL(srv.URL), option.WithAPIKey("test"))
	input := responses.ResponseInputParam{
		responses.ResponseInputItemParamOfMessage("Weather in Paris?", responses.EasyInputMessageRoleUser),
	}
	for done := false; !done; {
		resp, err := client.Responses.New(context.Background(), responses.ResponseNewParams{
			Model: "policy",
			Input: responses.ResponseNewParamsInputUnion{OfInputItemList: input},
		})
		if err != nil {
			log.Fatal(err)
		}
		done = true
		for _, item := range resp.Output {
			if item.Type != "function_call" {
				continue
			}
			call := item.AsFunctionCall()
			fmt.Println("call", call.Name, call.Arguments)
			output := responses.ResponseInputItemParamOfFunctionCallOutput(`{"sky":"clear"}`)
			output.OfFunctionCallOutput.CallID = openai.String(call.CallID)
			input = append(input, responses.ResponseInputItemParamOfFunctionCall(call.Arguments, call.CallID, call.Name), output)
			done = false
		}
		if done {
			fmt.Println(resp.OutputText())
		}
	}
	fmt.Println(len(srv.Requests()), "requests")
	// Output:
	// call get_weather {"city":"Paris"}
	// It is sunny in Paris.
	// 2 requests
}

// Faults can be scripted per request; a retrying client gets through.
func ExampleRateLimited() {
	srv := gymtest.NewServer(gymtest.Script(
		gymtest.Fail(gymtest.RateLimited(10*time.Millisecond)),
		gymtest.Text("ok"),
	))
	defer srv.Close()

	client := openai.NewClient(option.WithBaseURL(srv.URL), option.WithAPIKey("test"), option.WithMaxRetries(2))
	resp, err := client.Responses.New(context.Background(), responses.ResponseNewParams{
		Model: "policy",
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("hi")},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.OutputText(), "after", len(srv.Requests()), "requests")
	// Output: ok after 2 requests
}

// The fake chat template and tokenizer give the prompt ids the server
// reports, so a test can predict them.
func ExampleRenderChat() {
	text, err := gymtest.RenderChat([]json.RawMessage{
		json.RawMessage(`{"role":"user","content":"Hi"}`),
	}, nil, true)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%q\n", text)
	fmt.Println(gymtest.Tokenize(text))
	// Output:
	// "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"
	// [256 117 115 101 114 10 72 105 257 10 256 97 115 115 105 115 116 97 110 116 10]
}

// vLLM's token ids come back when the request asks for them.
func ExampleServer_chatTokenIDs() {
	srv := gymtest.NewServer(gymtest.Script(gymtest.Text("Yo")))
	defer srv.Close()

	body := `{"model":"m","messages":[{"role":"user","content":"Hi"}],` +
		`"logprobs":true,"top_logprobs":0,"return_tokens_as_token_ids":true,"return_token_ids":true}`
	resp, err := http.Post(srv.URL+"/chat/completions", "application/json", strings.NewReader(body))
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	var cc struct {
		PromptTokenIDs []int `json:"prompt_token_ids"`
		Choices        []struct {
			TokenIDs []int `json:"token_ids"`
			Logprobs struct {
				Content []struct {
					Token string `json:"token"`
				} `json:"content"`
			} `json:"logprobs"`
		} `json:"choices"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&cc); err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(cc.PromptTokenIDs), "prompt tokens")
	fmt.Println(cc.Choices[0].TokenIDs, gymtest.Detokenize(cc.Choices[0].TokenIDs))
	fmt.Println(cc.Choices[0].Logprobs.Content[0].Token)
	// Output:
	// 21 prompt tokens
	// [89 111 257] Yo<|im_end|>
	// token_id:89
}
