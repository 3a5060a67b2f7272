#version 410 core
// Links as soft curved ribbons: one instance per link, a triangle strip of
// SEGMENTS quads along a slowly swaying quadratic curve between two clusters.

#if defined VERTEX_SHADER
layout(location = 0) in vec4 a_link;  // slot a, slot b, strength 0..1, seed

uniform vec2 u_view;
uniform float u_dpr;
uniform float u_time;
uniform vec4 u_concepts[MAX_CONCEPTS];
uniform vec4 u_colors[MAX_CONCEPTS];

out vec2 v_pos;     // x: -1..1 across the ribbon, y: 0..1 along it
out vec4 v_color;
flat out float v_seed;

void main() {
    vec4 A = u_concepts[int(a_link.x)];
    vec4 B = u_concepts[int(a_link.y)];
    float t = float(gl_VertexID / 2) / float(SEGMENTS);
    float side = float(gl_VertexID % 2) * 2.0 - 1.0;
    vec2 d = B.xy - A.xy;
    float len = length(d) + 1e-3;
    vec2 n = vec2(-d.y, d.x) / len;
    float sway = 0.08 * sin(u_time * 0.21 + a_link.w * 6.2831853) + 0.5 * (a_link.w - 0.5);
    vec2 ctrl = 0.5 * (A.xy + B.xy) + n * len * sway;
    vec2 p = mix(mix(A.xy, ctrl, t), mix(ctrl, B.xy, t), t);
    vec2 tang = mix(ctrl - A.xy, B.xy - ctrl, t);
    vec2 nn = normalize(vec2(-tang.y, tang.x) + 1e-6);
    float half_w = (3.0 + 5.0 * a_link.z) * (0.6 + 0.4 * sin(3.14159 * t)) + 1.0 / u_dpr;
    p += nn * side * half_w;
    vec2 ndc = p / u_view * 2.0 - 1.0;
    gl_Position = vec4(ndc.x, -ndc.y, 0.0, 1.0);
    v_pos = vec2(side, t);
    float alpha = min(A.w, B.w) * (0.12 + 0.38 * a_link.z);
    v_color = vec4(mix(u_colors[int(a_link.x)].rgb, u_colors[int(a_link.y)].rgb, t), alpha);
    v_seed = a_link.w;
}
#endif

#if defined FRAGMENT_SHADER
in vec2 v_pos;
in vec4 v_color;
flat in float v_seed;
uniform float u_time;
out vec4 f_color;

void main() {
    float across = 1.0 - abs(v_pos.x);
    float a = across * across;
    float ends = smoothstep(0.0, 0.18, v_pos.y) * smoothstep(1.0, 0.82, v_pos.y);
    float pulse = 0.75 + 0.25 * sin(v_pos.y * 14.0 - u_time * 0.9 + v_seed * 40.0);
    a *= ends * pulse * v_color.a;
    f_color = vec4(v_color.rgb * a, a * 0.4);
}
#endif
