import { Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { DiscoveryModule, DiscoveryService } from '@nestjs/core';
import { DispatchEventSubscriber } from './dispatch-event-subscriber';

/**
 * Every `DispatchEventSubscriber` of the application: the providers that extend it, found in
 * all modules at start, plus any registered by hand (`register`).
 */
@Injectable()
export class DispatchEventSubscribers implements OnModuleInit {
  private readonly discovered = new Set<DispatchEventSubscriber>();
  private readonly registered = new Set<DispatchEventSubscriber>();

  constructor(private readonly discovery: DiscoveryService) {}

  // Every provider is instantiated by now, and the relay starts only at application bootstrap.
  onModuleInit() {
    for (const wrapper of this.discovery.getProviders()) {
      // Request-scoped providers have no instance to deliver to outside a request.
      if (!wrapper.isDependencyTreeStatic()) continue;
      if (wrapper.instance instanceof DispatchEventSubscriber) this.discovered.add(wrapper.instance);
    }
    const names = this.all().map((s) => s.subscriberName);
    const repeated = names.find((name, i) => names.indexOf(name) !== i);
    if (repeated) throw new Error(`Two dispatch event subscribers are named "${repeated}"; override subscriberName`);
  }

  /** Adds a subscriber that is not a provider; the returned function removes it again. */
  register(subscriber: DispatchEventSubscriber): () => void {
    if (this.all().some((s) => s !== subscriber && s.subscriberName === subscriber.subscriberName)) {
      throw new Error(`A dispatch event subscriber named "${subscriber.subscriberName}" is already registered`);
    }
    this.registered.add(subscriber);
    return () => this.registered.delete(subscriber);
  }

  all(): DispatchEventSubscriber[] {
    return [...new Set([...this.discovered, ...this.registered])];
  }
}

/** Gives the host's dispatch relay the subscribers; import it where the relay lives. */
@Module({
  imports: [DiscoveryModule],
  providers: [DispatchEventSubscribers],
  exports: [DispatchEventSubscribers],
})
export class DispatchEventsModule {}
