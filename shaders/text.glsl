#version 410 core
// Glyph quads from the atlas: red = coverage, green = a blurred halo drawn
// dark under the glyph so text reads over any background.  Quads are snapped
// to device pixels and sized 1:1 with atlas texels, so text stays crisp.

#if defined VERTEX_SHADER
layout(location = 0) in vec4 a_rect;   // x, y (top-left), w, h in logical px
layout(location = 1) in vec4 a_uv;     // u0, v0, u1, v1
layout(location = 2) in vec4 a_color;  // r, g, b, a (straight alpha)

uniform vec2 u_view;
uniform float u_dpr;

out vec2 v_uv;
out vec4 v_color;

void main() {
    vec2 corner = vec2(float(gl_VertexID & 1), float(gl_VertexID >> 1));
    vec2 origin = floor(a_rect.xy * u_dpr + 0.5) / u_dpr;
    vec2 p = origin + corner * a_rect.zw;
    vec2 ndc = p / u_view * 2.0 - 1.0;
    gl_Position = vec4(ndc.x, -ndc.y, 0.0, 1.0);
    v_uv = mix(a_uv.xy, a_uv.zw, corner);
    v_color = a_color;
}
#endif

#if defined FRAGMENT_SHADER
in vec2 v_uv;
in vec4 v_color;
uniform sampler2D u_atlas;
out vec4 f_color;

void main() {
    vec2 s = texture(u_atlas, v_uv).rg;
    float cov = s.r;
    float halo = s.g * 0.7 * (1.0 - cov);
    f_color = vec4(v_color.rgb * cov, cov + halo) * v_color.a;
}
#endif
