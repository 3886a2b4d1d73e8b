// Schedules, samplers and losses live here.
