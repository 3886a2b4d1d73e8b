import Foundation

/// How a shorter sampling schedule picks its timesteps (Table 2 of Lin et al., arXiv 2305.08891).
public enum TimestepSpacing: String, CaseIterable, Sendable {
    /// `arange(n)·(T // n)`, reversed, plus `stepsOffset` (diffusers' default; never reaches T − 1).
    case leading
    /// `round(arange(T, 0, −T/n)) − 1` (always starts at T − 1).
    case trailing
    /// `round(linspace(0, T − 1, n))`, reversed.
    case linspace

    /// Parses `leading`, `trailing` or `linspace`.
    public init(name: String) throws {
        guard let spacing = TimestepSpacing(rawValue: name) else {
            throw DiffusionError("unknown timestep spacing '\(name)' (expected leading, trailing or linspace)")
        }
        self = spacing
    }
}

/// The descending timesteps of an `steps`-step sampler, identical to diffusers' `set_timesteps`.
///
/// Rounding is numpy's (half to even: `linspace(0, 999, 3)` gives 500 for 499.5). `stepsOffset` is added
/// to `leading` timesteps only, as in diffusers. One deliberate difference: for `trailing` spacing
/// numpy's `arange(T, 0, −T/n)` sometimes yields n + 1 values because of floating-point rounding
/// (e.g. T = 1000, n = 61), and diffusers then ends its list with timestep −1; dscript keeps exactly
/// `steps` timesteps (the first `steps` of diffusers' list). `spacing` and `stepsOffset` default to the
/// schedule's settings.
public func ddimTimesteps(_ schedule: Schedule, steps: Int, spacing: TimestepSpacing? = nil,
                          stepsOffset: Int? = nil) throws -> [Int] {
    try spacedTimesteps(T: schedule.steps, steps: steps, spacing: spacing ?? schedule.settings.spacing,
                        stepsOffset: stepsOffset ?? schedule.settings.stepsOffset)
}

/// Throws unless 1 ≤ steps ≤ T and 0 ≤ stepsOffset < T (every sampler's timestep list checks these).
func checkSteps(T: Int, steps: Int, stepsOffset: Int) throws {
    guard steps >= 1 else { throw DiffusionError("the number of sampling steps must be at least 1, got \(steps)") }
    guard steps <= T else {
        throw DiffusionError("cannot sample with \(steps) steps from a schedule of \(T) timesteps (steps must be ≤ T)")
    }
    guard stepsOffset >= 0, stepsOffset < T else {
        throw DiffusionError("steps_offset must lie in [0, \(T)), got \(stepsOffset)")
    }
}

/// `ddimTimesteps` for a schedule of T timesteps.
func spacedTimesteps(T: Int, steps: Int, spacing: TimestepSpacing, stepsOffset: Int) throws -> [Int] {
    try checkSteps(T: T, steps: steps, stepsOffset: stepsOffset)
    var timesteps: [Int]
    switch spacing {
    case .linspace:
        timesteps = Schedule.linspace(0, Double(T - 1), steps).reversed().map { Int($0.rounded(.toNearestOrEven)) }
    case .leading:
        let ratio = T / steps
        timesteps = (0..<steps).reversed().map { $0 * ratio + stepsOffset }
    case .trailing:
        let ratio = Double(T) / Double(steps)
        // numpy's arange: length ceil((stop − start)/step), values start + i·step.
        let length = Int((Double(0 - T) / -ratio).rounded(.up))
        timesteps = (0..<min(length, steps)).map { i in Int((Double(T) + Double(i) * -ratio).rounded(.toNearestOrEven)) - 1 }
    }
    if let bad = timesteps.first(where: { $0 < 0 || $0 >= T }) {
        throw DiffusionError("steps_offset \(stepsOffset) puts timestep \(bad) outside [0, \(T))")
    }
    return timesteps
}
