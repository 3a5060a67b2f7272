#version 410 core
// One soft luminous disc per concept slot (instanced, no vertex buffer).

#if defined VERTEX_SHADER
uniform vec2 u_view;
uniform float u_time;
uniform vec4 u_concepts[MAX_CONCEPTS];  // x, y, radius, alpha
uniform vec4 u_colors[MAX_CONCEPTS];    // r, g, b, breathing phase

out vec2 v_uv;      // position in units of the concept's radius
out vec4 v_color;

const float EXTENT = 2.6;  // the quad reaches this many radii from the centre

void main() {
    vec4 c = u_concepts[gl_InstanceID];
    vec4 col = u_colors[gl_InstanceID];
    vec2 corner = vec2(float(gl_VertexID & 1), float(gl_VertexID >> 1)) * 2.0 - 1.0;
    float breath = 1.0 + 0.07 * sin(u_time * 0.8 + col.w);
    float ext = c.w > 0.002 ? c.z * EXTENT * breath : 0.0;
    vec2 ndc = (c.xy + corner * ext) / u_view * 2.0 - 1.0;
    gl_Position = vec4(ndc.x, -ndc.y, 0.0, 1.0);
    v_uv = corner * EXTENT;
    float heavy = clamp((c.z - 16.0) / 30.0, 0.0, 1.0);  // weight shows as size and brightness
    v_color = vec4(col.rgb, c.w * (0.55 + 0.45 * heavy));
}
#endif

#if defined FRAGMENT_SHADER
in vec2 v_uv;
in vec4 v_color;
out vec4 f_color;

void main() {
    float r2 = dot(v_uv, v_uv);
    float core = exp(-r2 * 2.4);
    float halo = exp(-r2 * 0.5) * 0.30;
    float edge = 1.0 - smoothstep(4.5, 6.76, r2);  // reach zero before the quad's edge
    float a = (0.55 * core + halo) * edge * v_color.a;
    vec3 rgb = mix(v_color.rgb, vec3(1.0), 0.55 * core) * a;
    f_color = vec4(rgb, a * 0.45);
}
#endif
