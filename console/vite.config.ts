import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'

// The production build goes where the jar serves it from (the class path folder console/);
// build.sh gzips it and lists its files for the server.
export default defineConfig({
  base: '/console/',
  plugins: [
    vue(),
    // Element Plus on demand: only the components a chunk uses, with their CSS.
    Components({ resolvers: [ElementPlusResolver({ importStyle: 'css' })], dts: false }),
  ],
  build: {
    outDir: '../src/main/resources/console',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 1200,
  },
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:8080',
      '/ws': { target: 'ws://127.0.0.1:8080', ws: true },
    },
  },
  test: {
    environment: 'happy-dom',
    environmentOptions: { happyDOM: { url: 'http://localhost/console/' } },
    include: ['tests/**/*.test.ts'],
    // Pages are mounted in tests: Element Plus imports its CSS, which Node cannot load, so Vite does.
    server: { deps: { inline: ['element-plus'] } },
  },
} as never)
