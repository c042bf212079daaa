import { Module } from '@nestjs/common';
import { EscalationPlanner } from './escalation-planner';

/**
 * The planner on its own, for whoever sends urgent things: mail and conversations both check
 * their escalation settings and queue the first step with it (the worker lives in UrgentModule).
 */
@Module({
  providers: [EscalationPlanner],
  exports: [EscalationPlanner],
})
export class EscalationModule {}
