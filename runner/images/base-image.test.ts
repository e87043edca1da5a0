import { describe, expect, it } from 'vitest';
import { parseLdd, splitTag } from './base-image.ts';
import { planServiceImage, slug } from './prepare-images.ts';

describe('base image helpers', () => {
  it('parses ldd output, skipping the vdso', () => {
    const out = [
      '\tlinux-vdso.so.1 (0x00007ffd)',
      '\tlibdl.so.2 => /lib/x86_64-linux-gnu/libdl.so.2 (0x00007f90)',
      '\tlibstdc++.so.6 => /lib/x86_64-linux-gnu/libstdc++.so.6 (0x00007f91)',
      '\t/lib64/ld-linux-x86-64.so.2 (0x00007f92)',
    ].join('\n');
    expect(parseLdd(out)).toEqual([
      '/lib/x86_64-linux-gnu/libdl.so.2',
      '/lib/x86_64-linux-gnu/libstdc++.so.6',
      '/lib64/ld-linux-x86-64.so.2',
    ]);
  });

  it('splits tags, not registry ports', () => {
    expect(splitTag('micro-dev/node:24')).toEqual(['micro-dev/node', '24']);
    expect(splitTag('localhost:5000/x')).toEqual(['localhost:5000/x', 'latest']);
  });
});

describe('planServiceImage', () => {
  const base = { name: 'Greeter Srv', cwd: '/p/svc' } as const;
  it('mounts the project when no image or dockerfile is given', () => {
    expect(planServiceImage({ ...base, container: { reach: 'published' } } as never, 't', 'micro-dev/node:24')).toEqual({
      mode: 'mount',
      image: 'micro-dev/node:24',
    });
  });
  it('mounts the project when the image is the base image itself', () => {
    expect(planServiceImage({ ...base, container: { image: 'micro-dev/node:24', reach: 'published' } } as never, 't', 'micro-dev/node:24')).toEqual({
      mode: 'mount',
      image: 'micro-dev/node:24',
    });
    expect(planServiceImage({ ...base, container: { image: 'nginx:1', reach: 'published' } } as never, 't', 'micro-dev/node:24')).toEqual({
      mode: 'image',
      image: 'nginx:1',
    });
  });
  it('builds a dockerfile relative to the cwd, context defaulting to its folder', () => {
    expect(planServiceImage({ ...base, container: { dockerfile: 'docker/Dockerfile', reach: 'network' } } as never, 'My Topo', 'b')).toEqual({
      mode: 'build',
      image: 'micro-dev/my-topo-greeter-srv:latest',
      context: '/p/svc/docker',
      dockerfile: 'Dockerfile',
    });
  });
  it('rejects a dockerfile outside its context', () => {
    expect(() =>
      planServiceImage({ ...base, container: { dockerfile: '/x/Dockerfile', context: '/p', reach: 'published' } } as never, 't', 'b'),
    ).toThrow(/outside container.context/);
    expect(slug('--A b--')).toBe('a-b');
  });
});
