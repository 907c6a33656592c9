/**
 * Second-order-correct gradient registrations. See docs/backend.md.
 * (Placeholder: filled in by the second-order gradients work.)
 */
export function registerSecondOrderGradients(): void {
  // intentionally empty until the registrations land
}
