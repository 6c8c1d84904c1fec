import type { MessageHeaders, SubscriptionFilter } from '@switchboard/protocol';
import { passesFilter } from './subscription-filter.ts';

/** One agent's subscription, as the index holds it. */
export interface IndexedSubscription {
  agentId: string;
  pattern: string;
  filter: SubscriptionFilter | null;
}

interface Node {
  children: Map<string, Node>;
  /** Subscriptions whose pattern ends here. */
  exact: IndexedSubscription[];
  /** Subscriptions whose pattern ends with `>` after this node. */
  rest: IndexedSubscription[];
}

const newNode = (): Node => ({ children: new Map(), exact: [], rest: [] });

/**
 * Every subscription of the mesh in a token trie, so matching a topic costs its depth, not the
 * number of subscriptions. `*` is a child like any token; `>` subscriptions hang off the node
 * before it.
 */
export class SubscriptionIndex {
  private readonly root = newNode();
  private count = 0;

  constructor(subscriptions: Iterable<IndexedSubscription> = []) {
    for (const subscription of subscriptions) this.add(subscription);
  }

  get size(): number {
    return this.count;
  }

  private add(subscription: IndexedSubscription): void {
    const tokens = subscription.pattern.split('.');
    let node = this.root;
    for (const [index, token] of tokens.entries()) {
      if (token === '>' && index === tokens.length - 1) {
        node.rest.push(subscription);
        this.count += 1;
        return;
      }
      let child = node.children.get(token);
      if (child === undefined) {
        child = newNode();
        node.children.set(token, child);
      }
      node = child;
    }
    node.exact.push(subscription);
    this.count += 1;
  }

  /**
   * The agents that get a message published to `topic` with `headers`: each agent once, however
   * many of its subscriptions match, as long as one of them passes its filter.
   */
  recipientsOf(topic: string, headers: MessageHeaders): string[] {
    const tokens = topic.split('.');
    const agents = new Set<string>();
    const take = (matches: IndexedSubscription[]) => {
      for (const subscription of matches) {
        if (!agents.has(subscription.agentId) && passesFilter(subscription.filter, headers)) {
          agents.add(subscription.agentId);
        }
      }
    };
    const walk = (node: Node, depth: number) => {
      // `>` needs at least one more token.
      if (depth < tokens.length) take(node.rest);
      if (depth === tokens.length) {
        take(node.exact);
        return;
      }
      const token = tokens[depth] as string;
      const literal = node.children.get(token);
      if (literal !== undefined) walk(literal, depth + 1);
      const wildcard = node.children.get('*');
      if (wildcard !== undefined) walk(wildcard, depth + 1);
    };
    walk(this.root, 0);
    return [...agents];
  }
}
