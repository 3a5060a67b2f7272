#version 410 core
// Word particles: each drifts from where its word dissolved to its concept,
// then orbits there.  Everything is computed here from per-particle seeds and
// u_time, so the CPU writes a particle once, when it is spawned.

#if defined VERTEX_SHADER
layout(location = 0) in vec4 a_spawn;   // origin.xy (logical px), concept slot (-1: none), seed
layout(location = 1) in vec4 a_timing;  // t0, travel s, life s, size px

uniform vec2 u_view;         // logical size
uniform float u_dpr;
uniform float u_time;
uniform float u_size_scale;
uniform vec4 u_concepts[MAX_CONCEPTS];  // x, y, radius, alpha
uniform vec4 u_colors[MAX_CONCEPTS];    // r, g, b, breathing phase

out vec4 v_color;
flat out float v_soft;

const vec3 WORD_TINT = vec3(0.93, 0.95, 1.0);

vec2 orbit_point(vec4 c, float phase, float seed, float age) {
    float h1 = fract(seed * 13.37);
    float h2 = fract(seed * 71.31);
    float spin = (0.05 + 0.15 * h2) * (h1 > 0.5 ? 1.0 : -1.0);  // slow: calm even at idle fps
    float ang = seed * 6.2831853 + age * spin;
    float breath = 1.0 + 0.07 * sin(u_time * 0.8 + phase);
    float rad = c.z * breath * 1.15 * h1;  // dense core thinning outward, no hole
    return c.xy + vec2(cos(ang), 0.8 * sin(ang)) * rad;
}

void main() {
    float age = u_time - a_timing.x;
    float life = a_timing.z;
    if (age < 0.0 || age > life) {  // dead or not yet born: no fragments at all
        gl_Position = vec4(2.0, 2.0, 2.0, 1.0);
        gl_PointSize = 0.0;
        v_color = vec4(0.0);
        v_soft = 0.0;
        return;
    }
    float seed = a_spawn.w;
    int slot = int(a_spawn.z);
    vec2 pos;
    vec3 tint = WORD_TINT;
    float alpha;
    if (slot < 0) {  // no concept: rise a little and fade
        float k = age / life;
        pos = a_spawn.xy + vec2(sin(seed * 40.0 + age * 1.3) * 12.0 * k, -60.0 * k * (2.0 - k));
        alpha = (1.0 - k) * (1.0 - k) * 0.8;
    } else {
        vec4 c = u_concepts[slot];
        vec4 col = u_colors[slot];
        vec2 goal = orbit_point(c, col.w, seed, age);
        float k = clamp(age / max(a_timing.y, 1e-3), 0.0, 1.0);
        float e = k * k * (3.0 - 2.0 * k);
        vec2 d = goal - a_spawn.xy;
        vec2 ctrl = a_spawn.xy + 0.5 * d + vec2(-d.y, d.x) * (fract(seed * 7.7) - 0.5) * 0.8;
        pos = mix(mix(a_spawn.xy, ctrl, e), mix(ctrl, goal, e), e);
        tint = mix(WORD_TINT, col.rgb, smoothstep(0.15, 0.85, k));
        float twinkle = 0.6 + 0.4 * sin(u_time * (0.6 + fract(seed * 3.3)) + seed * 50.0);
        alpha = c.w * clamp((life - age) / 3.0, 0.0, 1.0) * mix(1.0, twinkle, e);
    }
    alpha *= clamp(age * 4.0, 0.0, 1.0);
    vec2 ndc = pos / u_view * 2.0 - 1.0;
    gl_Position = vec4(ndc.x, -ndc.y, 0.0, 1.0);
    float px = a_timing.w * u_size_scale * u_dpr;
    v_soft = px >= 2.0 ? 1.0 : 0.0;  // tiny particles: a plain 1-px point, no falloff
    gl_PointSize = max(px, 1.0);
    v_color = vec4(tint * alpha, alpha);
}
#endif

#if defined FRAGMENT_SHADER
in vec4 v_color;
flat in float v_soft;
out vec4 f_color;

void main() {
    float a = 1.0;
    if (v_soft > 0.5) {
        vec2 d = gl_PointCoord * 2.0 - 1.0;
        a = max(0.0, 1.0 - dot(d, d));
        a *= a;
    }
    // Premultiplied and mostly additive: particles add light, they barely occlude.
    f_color = vec4(v_color.rgb * a, v_color.a * a * 0.3);
}
#endif
