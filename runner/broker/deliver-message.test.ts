import { describe, expect, it } from 'vitest';
import type { ServiceInfo } from '../../services/kit/types.ts';
import { deliveryTargets, encodeMessage } from './deliver-message.ts';

const node = (id: string, topic: string, extra: Record<string, string> = {}) => ({ id, address: `127.0.0.1:${id.length}`, metadata: { broker: 'http', topic, ...extra } });

describe('go-micro http broker delivery', () => {
  it('broadcasts to every subscriber of the topic, one node per queue group', () => {
    const services: ServiceInfo[] = [
      { name: 'go.micro.http.broker', version: 'latest', metadata: {}, endpoints: [], nodes: [node('a', 't'), node('b', 't'), node('c', 'other'), node('q1', 't', { queue: 'g' }), node('q2', 't', { queue: 'g' })] },
      { name: 'go.micro.http.broker', version: 'ff.http.broadcast', metadata: {}, endpoints: [], nodes: [node('d', 't')] },
      { name: 'go.micro.http.broker', version: 'latest', metadata: {}, endpoints: [], nodes: [{ id: 'e', address: 'x:1', metadata: { topic: 't' } }] },
    ];
    expect(deliveryTargets(services, 't', () => 0.99).map((n) => n.id)).toEqual(['a', 'b', 'd', 'q2']);
  });
  it('envelope is {"Header":{...,":topic"},"Body":base64}', () => {
    expect(encodeMessage('t', Buffer.from('hi'), { 'Content-Type': 'application/json' })).toBe(
      '{"Header":{"Content-Type":"application/json",":topic":"t"},"Body":"aGk="}',
    );
  });
});
