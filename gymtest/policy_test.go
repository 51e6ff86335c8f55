package gymtest_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/gymtest"
	"github.com/gymkit/gym/model"
	"github.com/gymkit/gym/rollout"
)

func TestByTool(t *testing.T) {
	say := func(text string) model.Model {
		return model.Func(func(context.Context, *model.Request) (*rollout.Response, error) {
			return model.NewResponse(rollout.NewOutputMessage("m", text)), nil
		})
	}
	m := gymtest.ByTool(map[string]model.Model{"get_weather": say("weather"), "lookup": say("lookup")}, say("fallback"))
	ask := func(body string) string {
		t.Helper()
		o, err := rollout.ParseObject([]byte(body))
		require.NoError(t, err)
		resp, err := m.Respond(context.Background(), &model.Request{Params: rollout.Params{Object: o}})
		require.NoError(t, err)
		return resp.Output[0].Text()
	}
	require.Equal(t, "lookup", ask(`{"tools":[{"type":"function","name":"other"},{"type":"function","name":"lookup"}]}`))
	require.Equal(t, "weather", ask(`{"tools":[{"type":"function","name":"get_weather"}]}`))
	require.Equal(t, "fallback", ask(`{}`))

	none := gymtest.ByTool(nil, nil)
	_, err := none.Respond(context.Background(), &model.Request{})
	require.ErrorContains(t, err, "no policy")
}
