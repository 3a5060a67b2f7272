#version 410 core
// The dark translucent field behind everything: a full-screen triangle with a
// faint vignette and two slow nebula tints.  Premultiplied alpha.

#if defined VERTEX_SHADER
out vec2 v_uv;

void main() {
    vec2 p = vec2(float((gl_VertexID << 1) & 2), float(gl_VertexID & 2));
    v_uv = p;
    gl_Position = vec4(p * 2.0 - 1.0, 0.0, 1.0);
}
#endif

#if defined FRAGMENT_SHADER
in vec2 v_uv;
uniform float u_opacity;
uniform float u_time;
out vec4 f_color;

void main() {
    vec2 q = v_uv - 0.5;
    float vignette = smoothstep(0.2, 0.85, length(q * vec2(1.2, 1.0)));
    vec3 base = vec3(0.018, 0.024, 0.045);
    float n1 = exp(-dot(q - vec2(-0.22, -0.12), q - vec2(-0.22, -0.12)) * 7.0);
    float n2 = exp(-dot(q - vec2(0.25, 0.05), q - vec2(0.25, 0.05)) * 9.0);
    vec3 rgb = base + n1 * vec3(0.010, 0.020, 0.045) + n2 * vec3(0.030, 0.012, 0.040);
    float a = u_opacity * mix(0.86, 1.0, vignette);
    f_color = vec4(rgb * (1.0 - 0.5 * vignette) * a, a);
}
#endif
