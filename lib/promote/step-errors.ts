/** A promotion step that could not be done: names the step, so the lock and the message say where it stopped. */
export class PromotionStepError extends Error {
  readonly step: string;
  constructor(step: string, message: string) {
    super(message);
    this.name = "PromotionStepError";
    this.step = step;
  }
}
