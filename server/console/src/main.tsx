import './app.css'
import './styles/components.css'
import './styles/feedback.css'
import './styles/pages.css'
import './styles/tagging.css'
import './styles/communities.css'
import './styles/followup.css'
import './styles/followup-views.css'
import { createRoot } from 'react-dom/client'
import { App } from './App'

createRoot(document.getElementById('root')!).render(<App />)
