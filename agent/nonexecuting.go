package agent

import (
	"context"
	"time"

	"github.com/gymkit/gym/env"
	"github.com/gymkit/gym/model"
	"github.com/gymkit/gym/rollout"
	"github.com/gymkit/gym/verifier"
)

// NonExecuting is NeMo Gym's non_executing_simple_agent: seed a session
// with the row, call the model once with the row's input, and verify its
// response as it is — the function calls it makes are the answer, and are
// never run (the tools of responses_create_params need not exist anywhere).
type NonExecuting struct {
	Model     model.Model
	Resources env.ResourcesServer
	Verifier  verifier.Verifier

	// Deadlines of the model call and the verification; 0 means none
	// beyond the rollout's context.
	ModelTimeout, VerifyTimeout time.Duration
}

// Run runs one rollout.
func (a *NonExecuting) Run(ctx context.Context, task rollout.Task) (res *rollout.Result, err error) {
	s := &Simple{Model: a.Model, Resources: a.Resources, Verifier: a.Verifier, ModelTimeout: a.ModelTimeout, VerifyTimeout: a.VerifyTimeout}
	id, _ := rollout.IDFrom(ctx)
	err = s.inSession(ctx, task, func(sess env.Session) error {
		req, err := request(task)
		if err != nil {
			return err
		}
		req.ID = id
		resp, err := s.callModel(ctx, req)
		if err != nil {
			return err
		}
		res = &rollout.Result{Response: resp}
		v, err := s.verify(ctx, &verifier.Request{Task: task, Response: resp, Session: sess, ID: id})
		if err != nil {
			return err
		}
		res.Reward, res.Fields, res.Rewards = v.Reward, v.Fields, v.Components
		return nil
	})
	return res, err
}
