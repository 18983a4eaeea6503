// Engine: planner, executor, recording.
